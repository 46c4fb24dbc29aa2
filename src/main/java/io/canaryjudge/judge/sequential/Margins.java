package io.canaryjudge.judge.sequential;

/**
 * A metric's two margins, each a factor of stable's level in the metric's bad direction (1.2 = 20 % worse):
 * {@code tolerance}, the change nobody should be paged for, and {@code detectable}, the smallest regression the
 * analysis must be able to see. ABORT needs anytime-valid evidence that the canary is worse than tolerance;
 * PROMOTE needs evidence that it is better than detectable (docs/statistics.md, "Margins").
 *
 * @param tolerance  ≥ 1; 1 means any difference counts
 * @param detectable &gt; tolerance, at most {@link #MAX_FACTOR}
 */
public record Margins(double tolerance, double detectable) {

    /** The largest factor the count grid can resolve (e^5 ≈ 148 stays inside its nodes). */
    public static final double MAX_FACTOR = 100;

    public Margins {
        if (!(tolerance >= 1) || !(tolerance < MAX_FACTOR)) {
            throw new IllegalArgumentException("tolerance factor must be in [1, " + (int) MAX_FACTOR + ")");
        }
        if (!(detectable > tolerance) || !(detectable <= MAX_FACTOR)) {
            throw new IllegalArgumentException("detectable factor must be > tolerance and <= " + (int) MAX_FACTOR);
        }
    }

    /**
     * From relative changes as a template writes them ({@code relative: 0.2} = 20 % worse): for an increase the
     * factor is 1 + r; for a decrease (canary at (1 − r) of stable) it is 1 / (1 − r), so r must be below 1.
     */
    public static Margins ofRelative(double tolerance, double detectable, boolean decrease) {
        return new Margins(factor(tolerance, decrease, "tolerance"), factor(detectable, decrease, "detectable"));
    }

    static double factor(double relative, boolean decrease, String name) {
        if (!(relative >= 0) || Double.isInfinite(relative)) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
        if (decrease && !(relative < 1)) {
            throw new IllegalArgumentException(name + " of a decrease must be below 1 (100 % lower is zero)");
        }
        return decrease ? 1 / (1 - relative) : 1 + relative;
    }
}
