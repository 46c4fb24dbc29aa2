package io.canaryjudge.dora;

import java.time.Instant;
import java.util.Map;

/**
 * When the rollback of an analysis was applied, for the DORA time to restore and change failure rate. The
 * rollback feature provides the real bean; until it does, {@link NoRollbackTimes} answers nothing and restores
 * are measured to the next promoted deployment.
 */
public interface RollbackTimes {

    /**
     * Applied-at time by analysis id, for every rollback applied at or after {@code since} (a superset of those of the
     * analyses started since then: rollbacks are rare, so this is small even when the analyses are not).
     */
    Map<String, Instant> appliedSince(Instant since);
}
