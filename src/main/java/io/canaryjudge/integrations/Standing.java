package io.canaryjudge.integrations;

import io.canaryjudge.judge.Verdict;

/**
 * What every integration is told about an analysis: {@link #PENDING} while it runs, then its {@link Verdict}. An
 * analysis that ended without one (cancelled, superseded, failed) stands as {@link #INCONCLUSIVE}: it proved nothing.
 */
public enum Standing {
    PENDING, PROMOTE, ABORT, INCONCLUSIVE;

    /** The standing of an ended analysis with this verdict; none stands as INCONCLUSIVE. */
    public static Standing of(Verdict verdict) {
        if (verdict == null) {
            return INCONCLUSIVE;
        }
        return switch (verdict) {
            case PROMOTE -> PROMOTE;
            case ABORT -> ABORT;
            case INCONCLUSIVE -> INCONCLUSIVE;
        };
    }
}
