package io.canaryjudge.judge;

/**
 * Hodges-Lehmann shift of canary − stable with its confidence interval; a one-sided interval has an
 * infinite end, as in R. {@code confidenceLevel} is the level achieved (R lowers it when the
 * requested one is not attainable with the exact distribution of tiny samples).
 */
public record Shift(double estimate, double lower, double upper, double confidenceLevel) {

    public Shift {
        if (lower > upper) {
            throw new IllegalArgumentException("lower > upper");
        }
        if (!(confidenceLevel >= 0 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel not in [0, 1)");
        }
    }

    /** True if the interval excludes zero, i.e. the shift is significant at its level. */
    public boolean excludesZero() {
        return lower > 0 || upper < 0;
    }
}
