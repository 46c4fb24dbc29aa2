package io.canaryjudge.dora;

import io.canaryjudge.judge.Verdict;
import java.time.Instant;
import java.util.Objects;

/**
 * One judged deployment as the DORA figures see it: an analysis with a verdict.
 *
 * @param commitTime        when the deployed commit was made (from the event), may be null
 * @param rollbackAppliedAt when its rollback put the stable digest back, may be null
 */
public record Deployment(String analysisId, String namespace, String service, Verdict verdict, Instant startedAt,
                         Instant completedAt, Instant commitTime, Instant rollbackAppliedAt) {

    public Deployment {
        Objects.requireNonNull(analysisId, "analysisId == null");
        Objects.requireNonNull(namespace, "namespace == null");
        Objects.requireNonNull(service, "service == null");
        Objects.requireNonNull(verdict, "verdict == null");
        Objects.requireNonNull(startedAt, "startedAt == null");
        Objects.requireNonNull(completedAt, "completedAt == null");
    }

    boolean promoted() {
        return verdict == Verdict.PROMOTE;
    }

    /** A change failure: the judge aborted it, or it was rolled back anyway. */
    boolean failed() {
        return verdict == Verdict.ABORT || rollbackAppliedAt != null;
    }

    String key() {
        return namespace + "/" + service;
    }
}
