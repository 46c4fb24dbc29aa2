package io.canaryjudge.judge;

import java.util.Locale;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;

/**
 * COUNTS: events with exposure per cohort, judged by the exact conditional test — given the total
 * events k + l, the canary's share is Binomial(k + l, p0) with p0 = canaryExposure / totalExposure
 * when the rates are equal (R's {@code poisson.test} two-sample form; {@code binom.test} p-values
 * via Commons Statistics). Sparse errors count: 6 canary errors against none is significant even
 * though almost every interval had zero. The rate ratio's exact interval comes from the
 * Clopper-Pearson interval of the share. Zero exposure is NO_DATA.
 */
final class CountsRule {

    private CountsRule() {
    }

    static MetricResult judge(MetricSpec spec, Sample.Counts counts) {
        if (counts.canaryExposure() == 0 || counts.stableExposure() == 0) {
            String who = counts.canaryExposure() == 0 && counts.stableExposure() == 0 ? "neither cohort has"
                : counts.canaryExposure() == 0 ? "the canary has no" : "the stable cohort has no";
            return MetricResult.withoutTest(spec, Classification.NO_DATA, "no-exposure",
                spec.name() + " has NO_DATA: " + who + " exposure (no traffic).", 0, 0, 0, 0);
        }
        long k = Math.round(counts.canaryEvents());
        long l = Math.round(counts.stableEvents());
        if (k + l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many events for the exact test");
        }
        int total = (int) (k + l);
        double canaryRate = k / counts.canaryExposure();
        double stableRate = l / counts.stableExposure();
        double p0 = counts.canaryExposure() / (counts.canaryExposure() + counts.stableExposure());
        double exposureRatio = counts.stableExposure() / counts.canaryExposure();
        Direction direction = spec.direction();
        double p = total == 0 ? 1 : BinomialTest.withDefaults()
            .with(hypothesis(direction))
            .test(total, (int) k, p0)
            .getPValue();
        Shift ratio = rateRatio((int) k, total, exposureRatio, direction, spec.confidenceLevel());
        double margin = spec.tolerance().margin(stableRate);
        double change = canaryRate - stableRate;
        boolean significant = p < spec.alpha();
        Classification classification = Classification.PASS;
        String rule;
        if (total == 0) {
            rule = "no-events";
        } else if (significant && direction != Direction.DECREASE && change > margin) {
            classification = Classification.HIGH;
            rule = "significant-rate-increase-beyond-tolerance";
        } else if (significant && direction != Direction.INCREASE && change < -margin) {
            classification = Classification.LOW;
            rule = "significant-rate-decrease-beyond-tolerance";
        } else if (significant) {
            rule = "significant-but-within-tolerance";
        } else {
            rule = "no-significant-change";
        }
        String sentence = String.format(Locale.ROOT,
            "%s is %s: canary %d events in %s (rate %s) vs stable %d in %s (rate %s), rate ratio %s %s, "
                + "exact conditional p=%s %s %s, tolerance %s (%s).",
            spec.name(), classification, k, MetricJudge.num(counts.canaryExposure()), MetricJudge.num(canaryRate),
            l, MetricJudge.num(counts.stableExposure()), MetricJudge.num(stableRate), MetricJudge.num(ratio.estimate()),
            MetricJudge.interval(ratio), MetricJudge.num(p), significant ? "<" : ">=", MetricJudge.num(spec.alpha()),
            MetricJudge.num(margin), rule.replace('-', ' '));
        return new MetricResult(spec, classification, rule, sentence, (int) k, (int) l, 0, 0, canaryRate,
            stableRate, Double.NaN, p, ratio, ratio.estimate() - 1);
    }

    private static AlternativeHypothesis hypothesis(Direction direction) {
        return switch (direction) {
            case INCREASE -> AlternativeHypothesis.GREATER_THAN;
            case DECREASE -> AlternativeHypothesis.LESS_THAN;
            case EITHER -> AlternativeHypothesis.TWO_SIDED;
        };
    }

    /** Canary/stable rate ratio: share/(1 − share) · stableExposure/canaryExposure, Clopper-Pearson ends. */
    private static Shift rateRatio(int k, int total, double exposureRatio, Direction direction, double level) {
        if (total == 0) {
            return new Shift(Double.NaN, 0, Double.POSITIVE_INFINITY, level);
        }
        double alpha = 1 - level;
        double tail = direction == Direction.EITHER ? alpha / 2 : alpha;
        double lowShare = k == 0 ? 0 : BetaDistribution.of(k, total - k + 1.0).inverseCumulativeProbability(tail);
        double highShare = k == total ? 1 : BetaDistribution.of(k + 1.0, total - k).inverseSurvivalProbability(tail);
        double lower = direction == Direction.DECREASE ? 0 : odds(lowShare) * exposureRatio;
        double upper = direction == Direction.INCREASE ? Double.POSITIVE_INFINITY : odds(highShare) * exposureRatio;
        double estimate = odds((double) k / total) * exposureRatio;
        return new Shift(estimate, lower, upper, level);
    }

    private static double odds(double share) {
        return share >= 1 ? Double.POSITIVE_INFINITY : share / (1 - share);
    }
}
