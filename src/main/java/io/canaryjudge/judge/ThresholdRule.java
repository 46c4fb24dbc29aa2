package io.canaryjudge.judge;

import java.util.Locale;

/**
 * THRESHOLD: the spec's quantile of the canary against absolute bounds and against the stable
 * cohort's same quantile. A p99 rule sees what a rank test of location cannot: the spread growing
 * at an unchanged median (kayenta#780).
 */
final class ThresholdRule {

    private ThresholdRule() {
    }

    static MetricResult judge(MetricSpec spec, Sample.Continuous sample) {
        Cleaning.Cleaned canary = Cleaning.clean(sample.canary(), spec.removeOutliers());
        Cleaning.Cleaned stable = Cleaning.clean(sample.stable(), spec.removeOutliers());
        Threshold t = spec.threshold();
        boolean relative = !Double.isNaN(t.relativeLower()) || !Double.isNaN(t.relativeUpper());
        // Stable data are only required when a bound is relative to them.
        Cleaning.Cleaned stableOrDummy = relative ? stable : new Cleaning.Cleaned(new double[] {0}, 0);
        MetricResult missing = MetricJudge.missingData(spec, canary, stableOrDummy);
        if (missing != null) {
            return missing;
        }
        double c = Quantiles.type7(canary.values(), t.quantile());
        double s = Quantiles.type7(stable.values(), t.quantile());
        String q = quantileName(t.quantile());
        Classification classification = Classification.PASS;
        String rule = "within-bounds";
        String detail = "within its bounds";
        if (c > t.absoluteUpper()) {
            classification = Classification.HIGH;
            rule = "above-absolute-upper";
            detail = "above the absolute bound " + MetricJudge.num(t.absoluteUpper());
        } else if (c < t.absoluteLower()) {
            classification = Classification.LOW;
            rule = "below-absolute-lower";
            detail = "below the absolute bound " + MetricJudge.num(t.absoluteLower());
        } else if (c > s + t.relativeUpper() * Math.abs(s)) {
            classification = Classification.HIGH;
            rule = "above-relative-upper";
            detail = "more than " + MetricJudge.num(100 * t.relativeUpper()) + " % above stable";
        } else if (c < s - t.relativeLower() * Math.abs(s)) {
            classification = Classification.LOW;
            rule = "below-relative-lower";
            detail = "more than " + MetricJudge.num(100 * t.relativeLower()) + " % below stable";
        }
        String sentence = String.format(Locale.ROOT, "%s is %s: canary %s %s vs stable %s (n=%d/%d) is %s.",
            spec.name(), classification, q, MetricJudge.num(c), MetricJudge.num(s), canary.values().length,
            stable.values().length, detail);
        return new MetricResult(spec, classification, rule, sentence, canary.values().length,
            stable.values().length, canary.dropped(), stable.dropped(), c, s, Double.NaN, Double.NaN, null,
            (c - s) / Math.abs(s));
    }

    private static String quantileName(double q) {
        return q == 0.5 ? "median" : "p" + MetricJudge.num(100 * q).replaceAll("\\.?0+$", "");
    }
}
