package io.canaryjudge.judge;

/**
 * Bounds for a {@link MetricKind#THRESHOLD} metric on the {@code quantile} of the canary's values:
 * absolute bounds, and bounds relative to the stable cohort's same quantile ({@code relativeUpper}
 * 0.25 = at most 25 % above stable). NaN means "no bound".
 */
public record Threshold(double quantile, double absoluteLower, double absoluteUpper,
                        double relativeLower, double relativeUpper) {

    public Threshold {
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("quantile not in [0, 1]");
        }
        if (absoluteLower > absoluteUpper) {
            throw new IllegalArgumentException("absoluteLower > absoluteUpper");
        }
        if (relativeLower < 0 || relativeUpper < 0) {
            throw new IllegalArgumentException("relative bounds must be >= 0");
        }
    }

    /** No bounds yet, judged on the given quantile (0.5 = median, 0.99 = p99). */
    public static Threshold atQuantile(double quantile) {
        return new Threshold(quantile, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    public Threshold withAbsolute(double lower, double upper) {
        return new Threshold(quantile, lower, upper, relativeLower, relativeUpper);
    }

    /** Allowed fractional decrease and increase against the stable quantile. */
    public Threshold withRelative(double lower, double upper) {
        return new Threshold(quantile, absoluteLower, absoluteUpper, lower, upper);
    }
}
