package io.canaryjudge.rollback;

import java.util.Objects;

/** What one rollback attempt came to; refusals are outcomes, not exceptions. */
record Outcome(RollbackState state, String reason, String detail, String artifact) {
    Outcome {
        Objects.requireNonNull(state, "state == null");
        Objects.requireNonNull(reason, "reason == null");
        // stored, published (CDEvents) and shown: a git remote's token never goes with it
        reason = io.canaryjudge.Redaction.urls(reason);
        detail = io.canaryjudge.Redaction.urls(detail);
        if (state == RollbackState.CLAIMED) {
            throw new IllegalArgumentException("an outcome is final");
        }
    }

    static Outcome applied(String reason, String detail, String artifact) {
        return new Outcome(RollbackState.APPLIED, reason, detail, artifact);
    }

    static Outcome refused(String reason) {
        return new Outcome(RollbackState.REFUSED, reason, null, null);
    }

    static Outcome failed(String error) {
        return new Outcome(RollbackState.FAILED, error, null, null);
    }

    static Outcome dryRun(String detail, String artifact) {
        return new Outcome(RollbackState.DRY_RUN, "dry run: nothing changed", detail, artifact);
    }
}
