package io.canaryjudge.rollback;

import io.canaryjudge.event.TargetKind;

/**
 * One way to put the stable digest back. Implementations read the live state first and are idempotent: run
 * twice (a retry, a takeover after a crash) they change the workload at most once, and the second run reports
 * APPLIED because the stable digest is already there.
 *
 * <p>Each implementation is a CDI bean; {@link RollbackService} finds them all and requires exactly one per
 * {@link TargetKind} at start-up. Building one is cheap: a Kubernetes client or a git clone is reached for only when a
 * rollback runs.
 */
interface Strategy {
    /** The event's {@code target.kind} this strategy serves. */
    TargetKind kind();

    /**
     * @throws RuntimeException on faults (timeouts, 5xx) that are worth retrying; refusals are returned
     */
    RollbackOutcome rollBack(RollbackRequest request);
}
