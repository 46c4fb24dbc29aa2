package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.analysis.SequentialStep.MetricState;
import io.canaryjudge.analysis.SequentialStep.TestState;
import io.canaryjudge.analysis.SequentialStep.ThresholdLook;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.MetricDecision;
import io.canaryjudge.judge.sequential.PairedSignEProcess;
import io.canaryjudge.judge.sequential.PowerText;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.TailEProcess;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sequential metric in the measurement document and in the verdict: its classification in fixed mode's words,
 * the sentences of its tests, and per test the figures a reader needs to check the decision (ln M, threshold,
 * anytime p, looks, status, the estimate); what keeps a metric from PROMOTE. Display only: nothing here is read
 * back.
 */
final class SequentialReport {
    private SequentialReport() {
    }

    /**
     * The metric's standing in fixed mode's words: ERROR (query failed), HIGH/LOW once a test crossed ln(1/α)
     * (LOW for a decrease), NO_DATA while no interval had data in both cohorts, PASS otherwise ("no evidence of
     * a regression yet", not a proof of equality).
     */
    static Classification classification(MetricTemplate m, MetricState s, Observation o) {
        if (o.error() != null) {
            return Classification.ERROR;
        }
        if (s.threshold() != null) {
            return s.threshold().classification();
        }
        if (s.aborting()) {
            return m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE ? Classification.LOW
                    : Classification.HIGH;
        }
        return s.dataIntervals() == 0 ? Classification.NO_DATA : Classification.PASS;
    }

    /** The sentences of the metric's tests, joined; a threshold metric's rule sentence. */
    static String explanation(MetricTemplate m, MetricState s, SequentialDecision d) {
        if (s.threshold() != null) {
            return thresholdSentence(m, s.threshold());
        }
        return explanation(s, d);
    }

    static String explanation(MetricState s, SequentialDecision d) {
        List<String> parts = new ArrayList<>();
        for (TestState t : s.tests()) {
            MetricDecision md = decision(d, t);
            if (md != null) {
                parts.add(md.explanation());
            }
        }
        return String.join(" ", parts);
    }

    static String thresholdSentence(MetricTemplate m, ThresholdLook look) {
        return "Threshold " + look.explanation().replaceFirst("\\.$", "") + " (deterministic limit on this interval's "
                + "values, no α spent; breached in " + look.breaches() + " interval(s), failureLimit "
                + m.failureLimitOrDefault() + (m.isCritical() ? "" : ", not critical") + (m.isDryRun() ? ", dry run" : "")
                + ").";
    }

    /** The threshold metrics' sentences of this look, for the reason. */
    static String thresholds(AnalysisTemplate t, Map<String, MetricState> states) {
        List<String> parts = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            ThresholdLook look = states.get(m.name()).threshold();
            if (look != null) {
                parts.add(thresholdSentence(m, look));
            }
        }
        return String.join(" ", parts);
    }

    /** "4 min", "90 s", "1 h 30 min": how long the analysis has measured after seq intervals. */
    static String elapsed(AnalysisTemplate t, int seq) {
        long seconds = t.interval().multipliedBy(seq).toSeconds();
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = Math.round(seconds / 60.0);
        return minutes < 120 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    /** What keeps the critical metrics from PROMOTE, each in its units, with a rough time to enough data. */
    static String missing(AnalysisTemplate t, Map<String, MetricState> states, SequentialDecision d, int seq) {
        List<String> parts = new ArrayList<>();
        double minutes = t.interval().multipliedBy(seq).toSeconds() / 60.0;
        for (MetricTemplate m : t.metrics()) {
            MetricState s = states.get(m.name());
            TestState abort = s.abortTest();
            MetricDecision md = abort == null ? null : decision(d, abort);
            if (md == null || md.powered()) {
                continue;
            }
            Margins g = m.margins();
            boolean decrease = m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE;
            if (abort.state() instanceof CountRatioEProcess c) {
                parts.add(PowerText.counts(m.name(), c, g, decrease, minutes));
            } else {
                TestState ruleOut = s.ruleOut();
                parts.add(PowerText.ranks(m.name(), ruleOut == null ? null : ruleOut.state(), g, decrease,
                        s.shift().ratio(), minutes, seq));
            }
        }
        return parts.isEmpty() ? "every critical metric is powered." : String.join(" ", parts);
    }

    /** Per test of a metric: ln M, threshold, anytime p, looks, status, the sentence, and the estimate. */
    static ArrayNode describe(ObjectMapper json, MetricTemplate m, MetricState s, SequentialDecision d) {
        ArrayNode out = describe(json, s, d);
        ThresholdLook look = s.threshold();
        if (look != null) {
            ObjectNode n = out.addObject();
            n.put("test", m.name());
            n.put("type", SequentialStep.THRESHOLD);
            n.put("method", "threshold rule on the interval's values (deterministic, no α spent)");
            n.put("looks", s.dataIntervals() + s.noDataIntervals());
            n.put("classification", look.classification().name());
            n.put("rule", look.rule());
            Judging.number(n, "canaryLevel", look.canaryLevel());
            Judging.number(n, "stableLevel", look.stableLevel());
            n.put("breaches", look.breaches());
            n.put("failureLimit", m.failureLimitOrDefault());
            n.put("crossed", look.breached() && look.breaches() > m.failureLimitOrDefault());
            n.put("explanation", thresholdSentence(m, look));
        }
        return out;
    }

    static ArrayNode describe(ObjectMapper json, MetricState s, SequentialDecision d) {
        ArrayNode out = json.createArrayNode();
        for (TestState t : s.tests()) {
            MetricDecision md = decision(d, t);
            SequentialState state = t.state();
            ObjectNode n = out.addObject();
            n.put("test", t.name());
            n.put("type", t.type());
            n.put("method", state.test());
            Judging.number(n, "logM", state.logM());
            Judging.number(n, "maxLogM", state.maxLogM());
            Judging.number(n, "threshold", state.threshold());
            Judging.number(n, "pValue", state.pValue());
            n.put("alpha", state.alpha());
            n.put("looks", state.looks());
            n.put("crossed", state.crossed());
            n.put("asymptotic", state.asymptotic());
            if (md != null) {
                n.put("status", md.status().name());
                n.put("explanation", md.explanation());
            }
            estimate(n, t, s);
        }
        return out;
    }

    /** The figures of the test's own kind: the rate ratio of counts, the AUC of ranks, the quantiles. */
    private static void estimate(ObjectNode n, TestState t, MetricState s) {
        if (t.state() instanceof CountRatioEProcess c) {
            counts(n, c);
        } else if (t.state() instanceof BatchRankEProcess r) {
            Judging.number(n, "auc", r.auc());
            Judging.number(n, "lastAuc", r.lastAuc());
            n.put("canaryDividedBy", r.scale());
            if (t.type().equals(SequentialStep.RANKS) && s.test(SequentialStep.RANKS_RULE_OUT) != null) {
                Judging.number(n, "shift", s.shift().ratio());
            }
        } else if (t.state() instanceof PairedSignEProcess p) {
            n.put("worse", p.worse());
            n.put("better", p.better());
            n.put("canaryDividedBy", p.scale());
            if (t.type().equals(SequentialStep.SIGN)) {
                Judging.number(n, "shift", s.shift().ratio());
            }
        } else if (t.state() instanceof RankZMixture z) {
            Judging.number(n, "meanZ", z.meanZ());
            n.put("intervals", z.intervals());
        } else if (t.state() instanceof QuantileEProcess q) {
            Judging.number(n, "canaryQuantile", q.canaryQuantile());
            Judging.number(n, "stableQuantile", q.stableQuantile());
        } else if (t.state() instanceof TailEProcess tail) {
            tail(n, tail);
        } else if (t.state() instanceof HistogramQuantileEProcess q) {
            Judging.number(n, "canaryQuantile", q.canaryQuantile());
            Judging.number(n, "stableQuantile", q.stableQuantile());
            n.put("canaryCount", q.canaryCount());
            n.put("stableCount", q.stableCount());
        }
    }

    private static void counts(ObjectNode n, CountRatioEProcess c) {
        ObjectNode rr = n.putObject("rateRatio");
        Judging.number(rr, "estimate", c.estimate());
        Judging.number(rr, "lower", c.lower());
        Judging.number(rr, "upper", c.upper());
        rr.put("confidenceLevel", 1 - c.alpha());
        rr.put("sided", "one-sided bounds, each at the confidence level");
        n.put("canaryErrors", c.canaryErrors());
        n.put("stableErrors", c.stableErrors());
        Judging.number(n, "canaryExposure", c.canaryExposure());
        Judging.number(n, "stableExposure", c.stableExposure());
        if (c.margins() != null) {
            margins(n, c.margins());
            Judging.number(n, "ruleOutLogM", c.ruleOutLogM());
            Judging.number(n, "withinLogM", c.withinLogM());
        }
    }

    private static void tail(ObjectNode n, TailEProcess tail) {
        Judging.number(n, "tailThreshold", tail.lastThreshold());
        Judging.number(n, "nextThreshold", tail.nextThreshold());
        n.put("quantile", tail.quantile());
        n.put("canaryAbove", tail.counts().canaryErrors());
        n.put("stableAbove", tail.counts().stableErrors());
        Judging.number(n, "canaryCount", tail.counts().canaryExposure());
        Judging.number(n, "stableCount", tail.counts().stableExposure());
        ObjectNode rr = n.putObject("shareRatio");
        Judging.number(rr, "estimate", tail.counts().estimate());
        Judging.number(rr, "lower", tail.counts().lower());
        Judging.number(rr, "upper", tail.counts().upper());
        margins(n, tail.counts().margins());
    }

    private static void margins(ObjectNode n, Margins g) {
        ObjectNode o = n.putObject("margins");
        o.put("tolerance", g.tolerance());
        o.put("detectable", g.detectable());
    }

    /** The judge's word on a test, or null. */
    static MetricDecision decision(SequentialDecision d, TestState t) {
        return d.metrics().stream().filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
    }
}
