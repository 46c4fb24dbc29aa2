package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.SequentialAction;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.ShiftEstimate;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measurement of {@code mode: sequential} (ADR 0004, docs/statistics.md): feeds the new interval of every metric
 * to its e-processes, then decides with the metric's margins. Counts: one {@link CountRatioEProcess} (abort,
 * rule-out and within-tolerance evidence from the same sufficient statistics). Continuous: three
 * {@link BatchRankEProcess}es — the abort test at the tolerance, the rule-out test at the detectable regression and
 * the within-tolerance test — plus informative quantile tests, which pool samples over intervals and so are not
 * valid under a changing traffic split with drift: they report and never decide.
 *
 * <p>ABORT as soon as a critical metric is worse than its tolerance; PROMOTE early once every critical metric is
 * within its tolerance (after minPromoteIntervals), or from the planned count on once every critical metric has
 * ruled out its detectable regression; otherwise keep measuring up to the template's maxCount, then INCONCLUSIVE
 * with what was missing. A critical metric without data never promotes (the template's insufficient-data action).
 * Query errors skip the interval (no look: valid, the process just does not move) and count towards
 * consecutiveErrorLimit: the limits are fixed mode's ({@link MeasurementLimits}).
 *
 * <p>Pure: no I/O, no clock; the states travel with each stored measurement ({@link SequentialStateCodec}).
 * {@link SequentialStart} starts a metric's tests, {@link SequentialFeed} feeds them an interval,
 * {@link SequentialLook} asks the judge, and {@link SequentialReport} words the outcome.
 */
final class SequentialStep {
    static final String COUNTS = "counts";
    static final String RANKS = "ranks";
    static final String RANKS_FAST = "ranks-fast";
    /** DECREASE-side rank tests of a continuous metric with margins (ruled out at detectable, within tolerance). */
    static final String RANKS_RULE_OUT = "ranks-rule-out";
    static final String RANKS_WITHIN = "ranks-within";
    /** Requests above a high threshold, canary against stable (continuous metrics where higher is worse). */
    static final String TAIL = "tail";
    /** A level read as a few points per interval: paired sign tests (abort, rule-out, within). */
    static final String SIGN = "sign";
    static final String SIGN_RULE_OUT = "sign-rule-out";
    static final String SIGN_WITHIN = "sign-within";
    static final String QUANTILE = "quantile";
    static final String QUANTILE_BUCKETS = "quantile-buckets";
    static final String THRESHOLD = "threshold";
    private static final String INTERVALS = "interval(s)";

    private SequentialStep() {
    }

    /** One sequential test of a metric: display name, type (counts, ranks, quantile) and state. */
    record TestState(String name, String type, SequentialState state) {
    }

    /**
     * A metric's tests and bookkeeping, stored with each measurement (written and read by
     * {@link SequentialStateCodec} only).
     *
     * @param dataIntervals    intervals in which both cohorts had data (exposure, or samples)
     * @param noDataIntervals  intervals in which a cohort had none (inconclusiveLimit counts these)
     */
    @JsonSerialize(using = MetricState.Writer.class)
    record MetricState(List<TestState> tests, int dataIntervals, int noDataIntervals, int consecutiveErrors,
                       ThresholdLook threshold, ShiftEstimate shift) {
        MetricState {
            shift = shift == null ? ShiftEstimate.NONE : shift;
        }

        MetricState(List<TestState> tests, int dataIntervals, int noDataIntervals, int consecutiveErrors) {
            this(tests, dataIntervals, noDataIntervals, consecutiveErrors, null, ShiftEstimate.NONE);
        }

        /** The test of a type, or null. */
        TestState test(String type) {
            for (TestState t : tests) {
                if (t.type().equals(type)) {
                    return t;
                }
            }
            return null;
        }

        /** The abort test (the first), or null for a threshold metric. */
        TestState abortTest() {
            return tests.isEmpty() ? null : tests.get(0);
        }

        /** The rule-out test of a continuous metric (ranks or sign), or null. */
        TestState ruleOut() {
            TestState r = test(RANKS_RULE_OUT);
            return r != null ? r : test(SIGN_RULE_OUT);
        }

        /** True once the abort test or the tail test crossed ln(1/α). */
        boolean aborting() {
            TestState abort = abortTest();
            TestState tail = test(TAIL);
            return abort != null && abort.state().crossed() || tail != null && tail.state().crossed();
        }

        /** How Jackson writes a state wherever it meets one (the engine puts them into the document). */
        static final class Writer extends JsonSerializer<MetricState> {
            @Override
            public void serialize(MetricState value, JsonGenerator gen, SerializerProvider serializers)
                    throws IOException {
                SequentialStateCodec.write(gen, value);
            }
        }
    }

    /**
     * A threshold metric's last look: fixed mode's threshold rule applied to the interval's values (no
     * e-process, no α), and how many looks breached it so far (compared with failureLimit, as in fixed mode).
     */
    record ThresholdLook(Classification classification, String rule, String explanation, double canaryLevel,
                         double stableLevel, int breaches) {
        boolean breached() {
            return classification == Classification.HIGH || classification == Classification.LOW;
        }
    }

    /** The outcome of one measurement. */
    record StepOutcome(Lifecycle.Decision.Kind kind, Phase phase, Verdict verdict, String reason,
                   Map<String, MetricState> states, SequentialDecision decision, Map<String, Lifecycle.Counters> counters) {
    }

    /** A measurement's states, the judge's decision and the limit counters, before the outcome is chosen. */
    private record Look(Map<String, MetricState> states, SequentialDecision decision,
                        Map<String, Lifecycle.Counters> counters) {
        StepOutcome outcome(Lifecycle.Decision.Kind kind, Phase phase, Verdict verdict, String reason) {
            return new StepOutcome(kind, phase, verdict, reason, states, decision, counters);
        }

        StepOutcome finish(Phase phase, Verdict verdict, String reason) {
            return outcome(Lifecycle.Decision.Kind.FINISH, phase, verdict, reason);
        }

        StepOutcome of(MeasurementLimits.Stop stop) {
            return outcome(stop.kind(), stop.phase(), stop.verdict(), stop.reason());
        }
    }

    /** Number of abort tests of a template, over which splitAlpha divides α (see {@link SequentialStart#count}). */
    static int tests(AnalysisTemplate t) {
        return SequentialStart.count(t);
    }

    static MetricState start(AnalysisTemplate t, MetricTemplate m) {
        return SequentialStart.start(t, m);
    }

    /**
     * @param previous     states stored with the previous measurement (empty at the first)
     * @param observations this interval's data per template metric (NaN policy applied), in template order
     */
    static StepOutcome step(AnalysisTemplate t, Map<String, MetricState> previous, List<Observation> observations, int seq,
                        int total, int extensionsUsed) {
        return labelled(t, decide(t, previous, observations, seq, total, extensionsUsed));
    }

    private static StepOutcome decide(AnalysisTemplate t, Map<String, MetricState> previous, List<Observation> observations,
                                  int seq, int total, int extensionsUsed) {
        Map<String, MetricState> states = new LinkedHashMap<>();
        for (int i = 0; i < t.metrics().size(); i++) {
            MetricTemplate m = t.metrics().get(i);
            MetricState before = previous.containsKey(m.name()) ? previous.get(m.name()) : SequentialStart.start(t, m);
            states.put(m.name(), SequentialFeed.update(m, before, observations.get(i)));
        }
        SequentialDecision d = SequentialLook.judge(t, states, seq);
        Look look = new Look(states, d, SequentialLook.counters(t, states));
        StepOutcome limit = limits(t, look, observations, seq, total);
        if (limit != null) {
            return limit;
        }
        List<String> starved = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            if (MeasurementLimits.critical(m) && states.get(m.name()).dataIntervals() == 0) {
                starved.add(m.name());
            }
        }
        if (d.action() == SequentialAction.PROMOTE && starved.isEmpty()) {
            String reason = SequentialLook.criticalThreshold(t) ? d.reason().replaceFirst("^(PROMOTE[^:]*): ",
                    "$1: no critical threshold breached beyond its failureLimit; ") : d.reason();
            return look.finish(Phase.SUCCESSFUL, Verdict.PROMOTE, reason);
        }
        if (seq < total) {
            return look.outcome(Lifecycle.Decision.Kind.CONTINUE, null, null, d.reason());
        }
        if (!starved.isEmpty()) {
            return look.of(MeasurementLimits.insufficientData(t, starved, seq, INTERVALS, extensionsUsed, d.reason()));
        }
        // Every critical metric has data, none is worse than its tolerance, but some cannot yet rule out the
        // regression it must detect: extending a sequential analysis is free (the guarantee holds at any stop).
        String missing = SequentialReport.missing(t, states, d, seq);
        int max = t.sequential().maxIntervals(t.count());
        if (seq < max) {
            return look.outcome(Lifecycle.Decision.Kind.EXTEND, null, null, "Not yet: " + missing + " Extending by one "
                    + "interval (" + (seq + 1) + " of at most " + max + "). " + d.reason());
        }
        return look.finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, "INCONCLUSIVE after " + seq + " intervals "
                + "(maxCount " + max + "): " + missing + " No critical metric was worse than its tolerance. "
                + d.reason());
    }

    /**
     * The limits in fixed mode's order: query errors; a critical threshold over its failureLimit, or a crossed
     * abort test; missing data. Null when none stops the analysis.
     */
    private static StepOutcome limits(AnalysisTemplate t, Look look, List<Observation> observations, int seq,
                                      int total) {
        SequentialDecision d = look.decision();
        MeasurementLimits.Stop errors = MeasurementLimits.errors(t,
                m -> look.states().get(m.name()).consecutiveErrors(),
                m -> m.name() + " has ERROR: " + observations.get(t.metrics().indexOf(m)).error());
        if (errors != null) {
            return look.of(errors);
        }
        List<String> breached = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            ThresholdLook l = look.states().get(m.name()).threshold();
            if (l != null && l.breached() && MeasurementLimits.overFailureLimit(m, l.breaches())) {
                breached.add(m.name());
            }
        }
        if (!breached.isEmpty()) {
            String why = "ABORT: critical threshold " + String.join(", ", breached) + " breached (a deterministic limit "
                    + "checked on every interval's values as fixed mode does, failureLimit included; no α is spent, so "
                    + "the sequential tests' false-abort guarantee is unchanged). "
                    + d.reason().replaceFirst("^(ABORT|CONTINUE|PROMOTE)[^:]*: ", "");
            return look.finish(Phase.FAILED, Verdict.ABORT, why + MeasurementLimits.abortedEarly(seq, total));
        }
        if (d.action() == SequentialAction.ABORT) {
            return look.finish(Phase.FAILED, Verdict.ABORT, d.reason() + MeasurementLimits.abortedEarly(seq, total));
        }
        MeasurementLimits.Stop noData = MeasurementLimits.noData(t, m -> look.states().get(m.name()).noDataIntervals(),
                INTERVALS, m -> ". " + d.reason());
        return noData == null ? null : look.of(noData);
    }

    /** Said in every reason of a fast-mode analysis with continuous metrics. */
    static final String ASYMPTOTIC = "Fast mode: the continuous metrics' rank tests are the normal-approximation "
            + "mSPRT, whose false-abort guarantee is asymptotic only (large cohorts, >= 100 samples per cohort per "
            + "interval), not exact.";

    static boolean asymptotic(AnalysisTemplate t) {
        return t.sequential().fastMode()
                && t.metrics().stream().anyMatch(m -> m.kind() == MetricTemplate.MetricKindName.CONTINUOUS);
    }

    private static StepOutcome labelled(AnalysisTemplate t, StepOutcome o) {
        if (!asymptotic(t)) {
            return o;
        }
        return new StepOutcome(o.kind(), o.phase(), o.verdict(), o.reason() + " " + ASYMPTOTIC, o.states(), o.decision(),
                o.counters());
    }

    // ---- what the engine and the offline analysis call; each delegates to the class that does it ----

    /** True once the metric's abort test or its tail test crossed ln(1/α). */
    static boolean aborting(MetricState s) {
        return s.aborting();
    }

    /** The abort test of a metric (its first), or null for a threshold metric. */
    static TestState abortTest(MetricState s) {
        return s.abortTest();
    }

    /** The rule-out test of a continuous metric (ranks or sign), or null. */
    static TestState ruleOut(MetricState s) {
        return s.ruleOut();
    }

    static String elapsed(AnalysisTemplate t, int seq) {
        return SequentialReport.elapsed(t, seq);
    }

    static String missing(AnalysisTemplate t, Map<String, MetricState> states, SequentialDecision d, int seq) {
        return SequentialReport.missing(t, states, d, seq);
    }

    static CountInterval interval(Observation o) {
        return SequentialFeed.interval(o);
    }

    static Buckets.Paired histogram(Observation o) {
        return SequentialFeed.histogram(o);
    }

    static String thresholdSentence(MetricTemplate m, ThresholdLook look) {
        return SequentialReport.thresholdSentence(m, look);
    }

    static ObjectNode toJson(ObjectMapper json, Map<String, MetricState> states) {
        return SequentialStateCodec.toJson(json, states);
    }

    static Map<String, MetricState> fromJson(ObjectMapper json, JsonNode node) {
        return SequentialStateCodec.fromJson(json, node);
    }

    static Classification classification(MetricTemplate m, MetricState s, Observation o) {
        return SequentialReport.classification(m, s, o);
    }

    static String explanation(MetricTemplate m, MetricState s, SequentialDecision d) {
        return SequentialReport.explanation(m, s, d);
    }

    static String explanation(MetricState s, SequentialDecision d) {
        return SequentialReport.explanation(s, d);
    }

    static ArrayNode describe(ObjectMapper json, MetricTemplate m, MetricState s, SequentialDecision d) {
        return SequentialReport.describe(json, m, s, d);
    }

    static ArrayNode describe(ObjectMapper json, MetricState s, SequentialDecision d) {
        return SequentialReport.describe(json, s, d);
    }
}
