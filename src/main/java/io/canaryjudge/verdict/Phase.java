package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;

/**
 * Lifecycle phase of a stored analysis, with Argo Rollouts' names. PENDING until the first measurement,
 * RUNNING while measuring; the verdict maps to SUCCESSFUL (PROMOTE), FAILED (ABORT) or INCONCLUSIVE;
 * ERROR when queries kept failing (verdict INCONCLUSIVE); CANCELLED by an event or a newer start.
 */
public enum Phase {
    PENDING, RUNNING, SUCCESSFUL, FAILED, INCONCLUSIVE, CANCELLED, ERROR;

    public boolean terminal() {
        return this != PENDING && this != RUNNING;
    }

    /** The phase that a verdict ends an analysis in. */
    public static Phase of(Verdict verdict) {
        return switch (verdict) {
            case PROMOTE -> SUCCESSFUL;
            case ABORT -> FAILED;
            case INCONCLUSIVE -> INCONCLUSIVE;
        };
    }
}
