package io.canaryjudge.rollback;

import java.util.Objects;

/** What one rollback attempt came to; refusals are outcomes, not exceptions. */
record RollbackOutcome(RollbackState state, String reason, String detail, String artifact) {
    RollbackOutcome {
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(reason, "reason == null");
        // stored, published (CDEvents) and shown: a git remote's token never goes with it
        reason = io.canaryjudge.Redaction.urls(reason);
        detail = io.canaryjudge.Redaction.urls(detail);
        if (state == RollbackState.CLAIMED) {
            throw new IllegalArgumentException("an outcome is final");
        }
    }

    static RollbackOutcome applied(String reason, String detail, String artifact) {
        return new RollbackOutcome(RollbackState.APPLIED, reason, detail, artifact);
    }

    static RollbackOutcome refused(String reason) {
        return new RollbackOutcome(RollbackState.REFUSED, reason, null, null);
    }

    static RollbackOutcome failed(String error) {
        return new RollbackOutcome(RollbackState.FAILED, error, null, null);
    }

    static RollbackOutcome dryRun(String detail, String artifact) {
        return new RollbackOutcome(RollbackState.DRY_RUN, "dry run: nothing changed", detail, artifact);
    }

    /** The same outcome, its reason followed by a warning (e.g. an unverified signature under {@code warn}). */
    RollbackOutcome withWarning(String warning) {
        return new RollbackOutcome(state, reason + "; warning: " + warning, detail, artifact);
    }
}
