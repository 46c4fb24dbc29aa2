package io.canaryjudge.rollback;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The stored rollback of one analysis.
 *
 * @param strategy   Deployment, Rollout or GitOps (the event's target kind)
 * @param attempts   claims taken (more than one: a replica died mid-way and another took over)
 * @param verdictAt  when the ABORT verdict was stored
 * @param finishedAt when the outcome was reached (for APPLIED: when the stable digest was back)
 * @param reason     why (REFUSED), the error (FAILED), or what was done
 * @param detail     the change made or, for DRY_RUN, the change that would have been made
 * @param artifact   image repository that was rolled back, when known
 */
public record RollbackStatus(
        String analysisId,
        RollbackState state,
        String strategy,
        boolean dryRun,
        int attempts,
        Instant claimedAt,
        Instant verdictAt,
        Instant finishedAt,
        String reason,
        String detail,
        String artifact,
        Instant publishedAt) {

    /** Time to restore (DORA): from the ABORT verdict to the applied rollback. */
    @JsonIgnore
    public Optional<Duration> timeToRestore() {
        return state == RollbackState.APPLIED && verdictAt != null && finishedAt != null
                ? Optional.of(Duration.between(verdictAt, finishedAt)) : Optional.empty();
    }

    /** {@link #timeToRestore()} in seconds (millisecond precision), null unless APPLIED. */
    @JsonProperty("timeToRestoreSeconds")
    public Double timeToRestoreSeconds() {
        return timeToRestore().map(d -> d.toMillis() / 1000.0).orElse(null);
    }
}
