package io.canaryjudge.judge.sequential;

/**
 * One interval of a count metric: integer error increments and exposures (requests, or pod-seconds)
 * per cohort, taken as differences of raw counter samples with resets handled — not {@code increase()},
 * which extrapolates to non-integers and voids the exact guarantee (docs/statistics.md, Counts).
 */
public record CountInterval(long canaryErrors, long stableErrors, double canaryExposure, double stableExposure) {

    public CountInterval {
        if (canaryErrors < 0 || stableErrors < 0) {
            throw new IllegalArgumentException("errors must be >= 0");
        }
        if (!(canaryExposure >= 0) || Double.isInfinite(canaryExposure)) {
            throw new IllegalArgumentException("canaryExposure must be finite and >= 0");
        }
        if (!(stableExposure >= 0) || Double.isInfinite(stableExposure)) {
            throw new IllegalArgumentException("stableExposure must be finite and >= 0");
        }
    }

    /** Total errors N_t. */
    public long errors() {
        return canaryErrors + stableErrors;
    }

    /** The canary exposure share q_t; NaN without exposure. */
    public double canaryShare() {
        double total = canaryExposure + stableExposure;
        return total > 0 ? canaryExposure / total : Double.NaN;
    }

    /** False when the interval says nothing about the ratio: no errors or a cohort without exposure. */
    public boolean informative() {
        return errors() > 0 && canaryExposure > 0 && stableExposure > 0;
    }
}
