package io.canaryjudge.judge;

/**
 * The judgement of one metric and the numbers behind it. Levels are medians (CONTINUOUS), rates
 * (COUNTS) or the spec's quantile (THRESHOLD). {@code shift} is the Hodges-Lehmann shift canary −
 * stable (CONTINUOUS) or the canary/stable rate ratio (COUNTS), null when not computed; {@code effect}
 * is the relative change. {@code u} and {@code pValue} are NaN when no test ran. {@code rule} names
 * the rule that decided; {@code explanation} says it in one English sentence.
 */
public record MetricResult(MetricSpec spec, Classification classification, String rule, String explanation,
                           int canaryCount, int stableCount, int canaryDropped, int stableDropped,
                           double canaryLevel, double stableLevel, double u, double pValue,
                           Shift shift, double effect) {

    public MetricResult {
        if (spec == null) {
            throw new IllegalArgumentException("spec == null");
        }
        if (classification == null) {
            throw new IllegalArgumentException("classification == null");
        }
        if (rule == null || explanation == null) {
            throw new IllegalArgumentException("rule and explanation are required");
        }
    }

    public String name() {
        return spec.name();
    }

    /** A result without a test: no data, or an error. */
    static MetricResult withoutTest(MetricSpec spec, Classification classification, String rule,
                                    String explanation, int canaryCount, int stableCount,
                                    int canaryDropped, int stableDropped) {
        return new MetricResult(spec, classification, rule, explanation, canaryCount, stableCount,
            canaryDropped, stableDropped, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN);
    }
}
