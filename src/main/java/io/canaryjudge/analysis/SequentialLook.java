package io.canaryjudge.analysis;

import io.canaryjudge.analysis.SequentialStep.MetricState;
import io.canaryjudge.analysis.SequentialStep.TestState;
import io.canaryjudge.analysis.SequentialStep.ThresholdLook;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.SequentialAction;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.judge.sequential.SequentialJudge;
import io.canaryjudge.judge.sequential.SequentialMetric;
import io.canaryjudge.judge.sequential.TailEProcess;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sequential measurement's states say before the limits apply: the judge's decision on every metric's
 * tests (each metric's deciding entry with its rule-out and within tests, informative entries for the quantile
 * tests), and fixed mode's limit counters (a crossed abort test or a threshold breach is a failure).
 */
final class SequentialLook {
    private SequentialLook() {
    }

    /** The judge's decision on the metrics' tests, with the threshold metrics' sentences appended. */
    static SequentialDecision judge(AnalysisTemplate t, Map<String, MetricState> states, int seq) {
        List<SequentialMetric> judged = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            judged.addAll(judged(m, states.get(m.name())));
        }
        boolean criticalThreshold = criticalThreshold(t);
        SequentialDecision d;
        if (!judged.isEmpty()) {
            d = SequentialJudge.decide(t.sequential(), judged, seq >= t.count(), SequentialReport.elapsed(t, seq),
                    criticalThreshold);
        } else if (seq >= t.count() && criticalThreshold) {
            d = new SequentialDecision(SequentialAction.PROMOTE, "PROMOTE: the planned intervals are done.", List.of());
        } else {
            d = new SequentialDecision(SequentialAction.CONTINUE, "CONTINUE: no sequential test (threshold metrics "
                    + "only).", List.of());
        }
        String limits = SequentialReport.thresholds(t, states);
        return limits.isEmpty() ? d : new SequentialDecision(d.action(), d.reason() + " " + limits, d.metrics());
    }

    static boolean criticalThreshold(AnalysisTemplate t) {
        return t.metrics().stream().anyMatch(m -> m.kind() == MetricTemplate.MetricKindName.THRESHOLD
                && MeasurementLimits.critical(m));
    }

    /** Fixed mode's counters from the states: a crossed abort test or a threshold breach counts as a failure. */
    static Map<String, Lifecycle.Counters> counters(AnalysisTemplate t, Map<String, MetricState> states) {
        Map<String, Lifecycle.Counters> counters = new LinkedHashMap<>();
        for (MetricTemplate m : t.metrics()) {
            MetricState s = states.get(m.name());
            boolean crossed = s.aborting();
            ThresholdLook look = s.threshold();
            int failures = look != null ? look.breaches() : crossed ? 1 : 0;
            String last = look != null ? (look.breached() ? look.classification().name() : null)
                    : crossed ? (m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE ? "LOW" : "HIGH") : null;
            counters.put(m.name(), new Lifecycle.Counters(failures, s.noDataIntervals(), s.consecutiveErrors(), last));
        }
        return counters;
    }

    /** The metric as the judge sees it: its deciding entry, and informative entries for its quantile tests. */
    private static List<SequentialMetric> judged(MetricTemplate m, MetricState s) {
        boolean critical = MeasurementLimits.critical(m);
        List<SequentialMetric> out = new ArrayList<>();
        for (TestState x : s.tests()) {
            switch (x.type()) {
                case SequentialStep.COUNTS ->
                    out.add(SequentialMetric.counts(x.name(), critical, (CountRatioEProcess) x.state()));
                case SequentialStep.RANKS, SequentialStep.RANKS_FAST, SequentialStep.SIGN -> {
                    TestState ruleOut = s.ruleOut();
                    TestState within = x.type().equals(SequentialStep.SIGN) ? s.test(SequentialStep.SIGN_WITHIN)
                            : s.test(SequentialStep.RANKS_WITHIN);
                    // states started before margins existed have no rule-out test and no margins
                    Margins g = x.state() instanceof BatchRankEProcess r && r.scale() == 1 && ruleOut == null ? null
                            : m.margins();
                    out.add(SequentialMetric.ranks(x.name(), critical, g, x.state(),
                            ruleOut == null ? null : ruleOut.state(), within == null ? null : within.state(),
                            s.shift().ratio()));
                }
                case SequentialStep.RANKS_RULE_OUT, SequentialStep.RANKS_WITHIN, SequentialStep.SIGN_RULE_OUT,
                        SequentialStep.SIGN_WITHIN -> {
                    // read through the metric's abort entry
                }
                case SequentialStep.TAIL ->
                    out.add(SequentialMetric.tail(x.name(), critical, (TailEProcess) x.state()));
                default -> out.add(SequentialMetric.informative(x.name(), x.state()));
            }
        }
        return out;
    }
}
