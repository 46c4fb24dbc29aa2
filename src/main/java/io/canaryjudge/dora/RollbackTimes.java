package io.canaryjudge.dora;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * When the rollback of an analysis was applied, for the DORA time to restore and change failure rate. The
 * rollback feature provides the real bean; until it does, {@link NoRollbackTimes} answers nothing and restores
 * are measured to the next promoted deployment.
 */
public interface RollbackTimes {

    /** Applied-at time by analysis id, for those of {@code analysisIds} whose rollback was applied. */
    Map<String, Instant> appliedAt(Collection<String> analysisIds);
}
