package io.canaryjudge.judge;

/**
 * How large a change must be to matter: the margin is {@code max(relative·|stable level|, absolute)}.
 * A statistically significant change within the margin passes.
 */
public record Tolerance(double relative, double absolute) {

    public Tolerance {
        if (!(relative >= 0) || Double.isInfinite(relative)) {
            throw new IllegalArgumentException("relative must be >= 0");
        }
        if (!(absolute >= 0) || Double.isInfinite(absolute)) {
            throw new IllegalArgumentException("absolute must be >= 0");
        }
    }

    /** Any significant change matters. */
    public static Tolerance none() {
        return new Tolerance(0, 0);
    }

    public static Tolerance relative(double fraction) {
        return new Tolerance(fraction, 0);
    }

    public static Tolerance absolute(double amount) {
        return new Tolerance(0, amount);
    }

    /** The change that must be exceeded, given the stable cohort's level. */
    public double margin(double stableLevel) {
        double rel = Double.isFinite(stableLevel) ? relative * Math.abs(stableLevel) : 0;
        return Math.max(rel, absolute);
    }
}
