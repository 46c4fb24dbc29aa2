package io.canaryjudge.judge.sequential;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides after each look, with margins (docs/statistics.md, "The decision rule"): ABORT as soon as a critical
 * metric is worse than its tolerance with anytime-valid evidence; PROMOTE early once every critical metric is shown
 * within its tolerance after the minimum number of looks, or — from the planned end on — once every critical metric
 * has ruled out its detectable regression; otherwise CONTINUE. PROMOTE is an intersection of one-sided tests (each
 * critical metric must reject "worse than detectable"), so its error needs no multiplicity correction; ABORT is a
 * union, whose family-wise rate is at most the sum of the per-test levels. Informative and non-critical tests
 * report and never decide. Stateless and thread-safe.
 */
public final class SequentialJudge {

    private SequentialJudge() {
    }

    /**
     * @param planEnded true at and after the template's planned number of looks: PROMOTE then needs only the
     *                  detectable regressions ruled out
     * @param elapsed   how long the analysis has run, for the sentences ("4 min"); may be empty
     */
    public static SequentialDecision decide(SequentialConfig config, List<SequentialMetric> metrics, boolean planEnded,
                                            String elapsed) {
        return decide(config, metrics, planEnded, elapsed, false);
    }

    /**
     * @param criticalOutside true when critical metrics are decided outside these tests (deterministic thresholds,
     *                        which abort on their own and otherwise never stand in PROMOTE's way)
     */
    public static SequentialDecision decide(SequentialConfig config, List<SequentialMetric> metrics, boolean planEnded,
                                            String elapsed, boolean criticalOutside) {
        if (config == null) {
            throw new IllegalArgumentException("config == null");
        }
        if (metrics == null || metrics.isEmpty()) {
            throw new IllegalArgumentException("no metrics");
        }
        List<MetricDecision> decisions = new ArrayList<>();
        List<String> aborting = new ArrayList<>();
        boolean allWithin = true;
        boolean allPowered = true;
        boolean anyCritical = criticalOutside;
        int looks = 0;
        for (SequentialMetric m : metrics) {
            checkUnchanged(config, m);
            MetricDecision d = judge(m, elapsed);
            decisions.add(d);
            looks = Math.max(looks, m.state().looks());
            if (m.critical()) {
                anyCritical = true;
                if (d.status() == MetricStatus.REGRESSION) {
                    aborting.add(d.explanation());
                }
                // abort-only tests (tails) neither block nor make an early PROMOTE; legacy metrics without margins
                // (analyses started before margins) never promote early
                if (m.needsPower() || m.margins() == null) {
                    allWithin &= m.needsPower() && d.status() == MetricStatus.WITHIN_TOLERANCE;
                }
                allPowered &= d.powered();
            }
        }
        if (!aborting.isEmpty()) {
            return new SequentialDecision(SequentialAction.ABORT, "ABORT: " + String.join(" ", aborting), decisions);
        }
        if (anyCritical && config.earlyPromote() && allWithin && looks >= config.minPromoteIntervals()) {
            // concatenated, not String.format: one decision per measurement (Formatter showed in the scale profile)
            return new SequentialDecision(SequentialAction.PROMOTE, "PROMOTE early: every critical metric is shown "
                + "within its tolerance. " + joined(decisions), decisions);
        }
        if (anyCritical && planEnded && allPowered) {
            return new SequentialDecision(SequentialAction.PROMOTE, "PROMOTE: no critical metric is worse than its "
                + "tolerance, and each rules out the regression it must detect. " + joined(decisions), decisions);
        }
        return new SequentialDecision(SequentialAction.CONTINUE, "CONTINUE: " + joined(decisions), decisions);
    }

    /** One metric's status and sentence. */
    static MetricDecision judge(SequentialMetric m, String elapsed) {
        SequentialState s = m.state();
        double threshold = s.threshold();
        MetricStatus status = s.crossed() ? MetricStatus.REGRESSION
            : m.withinLogM() >= threshold ? MetricStatus.WITHIN_TOLERANCE
            : m.ruleOutLogM() >= threshold ? MetricStatus.RULED_OUT : MetricStatus.NO_EVIDENCE;
        return new MetricDecision(m.name(), m.critical(), status, s.logM(), threshold, s.pValue(), s.looks(),
            MetricText.sentence(m, status, elapsed), m.critical() && m.needsPower());
    }

    /** A state started with other parameters than the config now says: the template changed mid-run. */
    private static void checkUnchanged(SequentialConfig config, SequentialMetric m) {
        SequentialState s = m.state();
        List<String> changed = new ArrayList<>();
        if (s instanceof CountRatioEProcess c && c.sigma() != config.sigma()) {
            changed.add("sigma " + c.sigma() + " -> " + config.sigma());
        }
        if (s instanceof BatchRankEProcess r && r.tau() != config.tau()) {
            changed.add("tau " + r.tau() + " -> " + config.tau());
        }
        if (s instanceof QuantileEProcess q && q.tOpt() != config.tOpt()) {
            changed.add("tOpt " + q.tOpt() + " -> " + config.tOpt());
        }
        if (s instanceof HistogramQuantileEProcess h && h.tOpt() != config.tOpt()) {
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
