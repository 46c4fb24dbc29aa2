package io.canaryjudge.judge;

import java.util.Locale;

/**
 * Judges one metric: {@link #judge(MetricSpec, Sample)}. Stateless and thread-safe.
 *
 * <p>CONTINUOUS rule: HIGH (LOW) only when the change in the bad direction is significant
 * (p &lt; 1 − confidence) AND its Hodges-Lehmann estimate exceeds the tolerance margin. The interval
 * end is reported and named in the rule when it clears the margin too; the estimate, not the
 * interval end, decides, because for a mixture such as 7 of 10 points at 100× the interval reaches
 * down to ~0 while the estimate and p are unambiguous (spinnaker#6278). Missing or too few values
 * give NO_DATA, never PASS.
 */
public final class MetricJudge {

    public MetricResult judge(MetricSpec spec, Sample sample) {
        if (spec == null) {
            throw new IllegalArgumentException("spec == null");
        }
        if (sample == null) {
            throw new IllegalArgumentException("sample == null");
        }
        return switch (spec.kind()) {
            case CONTINUOUS -> sample instanceof Sample.Continuous c ? continuous(spec, c) : mismatch(spec, sample);
            case THRESHOLD -> sample instanceof Sample.Continuous c ? ThresholdRule.judge(spec, c) : mismatch(spec, sample);
            case COUNTS -> sample instanceof Sample.Counts c ? CountsRule.judge(spec, c) : mismatch(spec, sample);
        };
    }

    private static MetricResult mismatch(MetricSpec spec, Sample sample) {
        return MetricResult.withoutTest(spec, Classification.ERROR, "sample-kind-mismatch",
            spec.name() + " is a " + spec.kind() + " metric but got " + sample.getClass().getSimpleName()
                + " data.", 0, 0, 0, 0);
    }

    private static MetricResult continuous(MetricSpec spec, Sample.Continuous sample) {
        Cleaning.Cleaned canary = Cleaning.clean(sample.canary(), spec.removeOutliers());
        Cleaning.Cleaned stable = Cleaning.clean(sample.stable(), spec.removeOutliers());
        MetricResult missing = missingData(spec, canary, stable);
        if (missing != null) {
            return missing;
        }
        double[] c = canary.values();
        double[] s = stable.values();
        double canaryMedian = Quantiles.type7(c, 0.5);
        double stableMedian = Quantiles.type7(s, 0.5);
        // R's absolute tol.root (1e-4) is coarse for data in seconds; scale it to the data instead.
        double spread = (c[c.length - 1] - s[0]) - (c[0] - s[s.length - 1]);
        RankSumResult r = MannWhitney.withDefaults()
            .with(spec.direction().alternative())
            .withConfidenceLevel(spec.confidenceLevel())
            .withRootTolerance(Math.max(spread * 1e-9, Double.MIN_NORMAL))
            .compare(c, s);
        Shift shift = r.shift();
        double margin = spec.tolerance().margin(stableMedian);
        boolean significant = r.pValue() < spec.alpha();
        double estimate = shift.estimate();
        Classification classification = Classification.PASS;
        String rule;
        if (significant && spec.direction() != Direction.DECREASE && estimate > margin) {
            classification = Classification.HIGH;
            rule = shift.lower() > margin ? "significant-increase-interval-beyond-tolerance"
                : "significant-increase-estimate-beyond-tolerance";
        } else if (significant && spec.direction() != Direction.INCREASE && estimate < -margin) {
            classification = Classification.LOW;
            rule = shift.upper() < -margin ? "significant-decrease-interval-beyond-tolerance"
                : "significant-decrease-estimate-beyond-tolerance";
        } else if (significant && canaryMedian == stableMedian && pointMassShift(spec, c, s, margin) != 0) {
            // Both medians sit on one shared value (an error-ratio series that is mostly 0): the Hodges-Lehmann shift
            // is that tie, 0, however often the canary leaves it — kayenta#426. The rank test found the shift; the
            // difference of means measures it in the metric's units.
            classification = pointMassShift(spec, c, s, margin) > 0 ? Classification.HIGH : Classification.LOW;
            rule = classification == Classification.HIGH ? "significant-increase-mean-beyond-tolerance"
                : "significant-decrease-mean-beyond-tolerance";
        } else if (significant) {
            rule = "significant-but-within-tolerance";
        } else {
            rule = "no-significant-change";
        }
        double effect = estimate / Math.abs(stableMedian);
        String means = rule.contains("-mean-") ? String.format(Locale.ROOT, ", means canary %s vs stable %s",
            num(mean(c)), num(mean(s))) : "";
        String sentence = String.format(Locale.ROOT,
            "%s is %s: canary median %s vs stable %s (n=%d/%d)%s, shift %s %s, U=%s, p=%s %s %s, tolerance %s (%s).",
            spec.name(), classification, num(canaryMedian), num(stableMedian), c.length, s.length, means,
            signed(estimate), interval(shift), num(r.u()), num(r.pValue()), significant ? "<" : ">=",
            num(spec.alpha()), num(margin), rule.replace('-', ' '));
        return new MetricResult(spec, classification, rule, sentence, c.length, s.length, canary.dropped(),
            stable.dropped(), canaryMedian, stableMedian, r.u(), r.pValue(), shift, effect);
    }

    /** +1 / −1 when the difference of means passes the margin in a direction the metric judges, else 0. */
    private static int pointMassShift(MetricSpec spec, double[] c, double[] s, double margin) {
        double d = mean(c) - mean(s);
        if (spec.direction() != Direction.DECREASE && d > margin) {
            return 1;
        }
        return spec.direction() != Direction.INCREASE && d < -margin ? -1 : 0;
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return sum / v.length;
    }

    /** NO_DATA results shared by CONTINUOUS and THRESHOLD; null when both cohorts have enough values. */
    static MetricResult missingData(MetricSpec spec, Cleaning.Cleaned canary, Cleaning.Cleaned stable) {
        int n = canary.values().length;
        int m = stable.values().length;
        String why;
        String rule;
        if (n == 0 || m == 0) {
            rule = "no-data";
            why = n == 0 && m == 0 ? "neither cohort has data" : n == 0 ? "the canary has no data" : "the stable cohort has no data";
        } else if (n < spec.minSamples() || m < spec.minSamples()) {
            rule = "too-few-samples";
            why = "too few samples: " + n + " canary and " + m + " stable values, " + spec.minSamples() + " required per cohort";
        } else {
            return null;
        }
        String dropped = canary.dropped() + stable.dropped() > 0
            ? " (" + canary.dropped() + " canary and " + stable.dropped() + " stable values dropped as NaN or outliers)" : "";
        return MetricResult.withoutTest(spec, Classification.NO_DATA, rule,
            spec.name() + " has NO_DATA: " + why + dropped + ".", n, m, canary.dropped(), stable.dropped());
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String signed(double v) {
        return (v > 0 ? "+" : "") + num(v);
    }

    static String interval(Shift s) {
        return String.format(Locale.ROOT, "[%s%% CI %s, %s]", num(100 * s.confidenceLevel()), num(s.lower()), num(s.upper()));
    }
}
