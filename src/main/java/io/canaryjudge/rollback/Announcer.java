package io.canaryjudge.rollback;

import io.canaryjudge.verdict.AnalysisRecord;

/** Tells the world a rollback's outcome (a CDEvent on Kafka); marks it published once acknowledged. */
interface Announcer {
    void announce(AnalysisRecord analysis, RollbackStatus status);
}
