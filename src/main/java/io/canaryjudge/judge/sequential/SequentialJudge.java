package io.canaryjudge.judge.sequential;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides after each look (SEQUENTIAL.md §6): ABORT as soon as a critical metric's ln M reaches
 * ln(1/α) in its bad direction; with early promotion enabled, PROMOTE once every metric's rate-ratio
 * confidence sequence lies inside its tolerance after the minimum number of looks; otherwise CONTINUE.
 * Metrics without a confidence sequence (ranks, quantiles) can never be shown inside a tolerance, so
 * they rule out an early PROMOTE. A non-critical crossing is reported and does not abort.
 * Stateless and thread-safe.
 */
public final class SequentialJudge {

    private SequentialJudge() {
    }

    public static SequentialDecision decide(SequentialConfig config, List<SequentialMetric> metrics) {
        if (config == null) {
            throw new IllegalArgumentException("config == null");
        }
        if (metrics == null || metrics.isEmpty()) {
            throw new IllegalArgumentException("no metrics");
        }
        double alpha = config.testAlpha(metrics.size());
        List<MetricDecision> decisions = new ArrayList<>();
        List<String> aborting = new ArrayList<>();
        boolean allInside = true;
        for (SequentialMetric m : metrics) {
            checkUnchanged(config, alpha, m);
            MetricDecision d = judge(config, m);
            decisions.add(d);
            if (d.status() == MetricStatus.REGRESSION && m.critical()) {
                aborting.add(d.explanation());
            }
            allInside &= d.status() == MetricStatus.WITHIN_TOLERANCE;
        }
        if (!aborting.isEmpty()) {
            return new SequentialDecision(SequentialAction.ABORT, "ABORT: " + String.join(" ", aborting), decisions);
        }
        if (config.earlyPromote() && allInside) {
            // concatenated, not String.format: one decision per measurement (Formatter showed in the scale profile)
            return new SequentialDecision(SequentialAction.PROMOTE, "PROMOTE early: every metric's rate ratio is below "
                + MetricText.num(config.rTol()) + " with " + MetricText.num(100 * (1 - alpha)) + " % confidence. "
                + joined(decisions), decisions);
        }
        return new SequentialDecision(SequentialAction.CONTINUE, "CONTINUE: no critical metric has reached ln(1/α) = "
            + MetricText.num(LogMath.threshold(alpha)) + ". " + joined(decisions), decisions);
    }

    /** One metric's status and sentence. */
    static MetricDecision judge(SequentialConfig config, SequentialMetric m) {
        SequentialState s = m.state();
        MetricStatus status = s.crossed() ? MetricStatus.REGRESSION
            : config.earlyPromote() && s.looks() >= config.minPromoteIntervals() && inside(s, m.rTol())
                ? MetricStatus.WITHIN_TOLERANCE : MetricStatus.NO_EVIDENCE;
        String sentence = MetricText.sentence(m, status);
        return new MetricDecision(m.name(), m.critical(), status, s.logM(), s.threshold(), s.pValue(), s.looks(),
            sentence);
    }

    private static boolean inside(SequentialState s, double rTol) {
        if (!(s instanceof CountRatioEProcess counts)) {
            return false;
        }
        RateRatio r = counts.confidenceSequence();
        return switch (counts.direction()) {
            case INCREASE -> r.upper() < rTol;
            case DECREASE -> r.lower() > 1 / rTol;
            case EITHER -> r.upper() < rTol && r.lower() > 1 / rTol;
        };
    }

    /** A state started with other parameters than the config now says: the template changed mid-run. */
    private static void checkUnchanged(SequentialConfig config, double alpha, SequentialMetric m) {
        SequentialState s = m.state();
        List<String> changed = new ArrayList<>();
        if (s.alpha() != alpha) {
            changed.add("alpha " + s.alpha() + " -> " + alpha);
        }
        if (s instanceof CountRatioEProcess c && c.sigma() != config.sigma()) {
            changed.add("sigma " + c.sigma() + " -> " + config.sigma());
        }
        if (s instanceof BatchRankEProcess r && r.tau() != config.tau()) {
            changed.add("tau " + r.tau() + " -> " + config.tau());
        }
        if (s instanceof QuantileABTest q && q.tOpt() != config.tOpt()) {
            changed.add("tOpt " + q.tOpt() + " -> " + config.tOpt());
        }
        if (s instanceof HistogramQuantileTest h && h.tOpt() != config.tOpt()) {
            changed.add("tOpt " + h.tOpt() + " -> " + config.tOpt());
        }
        if (s instanceof RankZMixture z && (!config.fastMode() || z.vOpt() != config.vOpt())) {
            changed.add(config.fastMode() ? "vOpt " + z.vOpt() + " -> " + config.vOpt() : "fast mode turned off");
        }
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException(m.name() + " was started with other parameters ("
                + String.join(", ", changed) + "): they must stay fixed for the whole analysis");
        }
    }

    private static String joined(List<MetricDecision> decisions) {
        List<String> parts = new ArrayList<>();
        for (MetricDecision d : decisions) {
            parts.add(d.explanation());
        }
        return String.join(" ", parts);
    }
}
