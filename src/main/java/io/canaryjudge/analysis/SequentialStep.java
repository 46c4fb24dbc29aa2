package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.MetricDecision;
import io.canaryjudge.judge.sequential.PairedSignEProcess;
import io.canaryjudge.judge.sequential.PowerText;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import io.canaryjudge.judge.sequential.SequentialAction;
import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.judge.sequential.SequentialJudge;
import io.canaryjudge.judge.sequential.SequentialMetric;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.ShiftEstimate;
import io.canaryjudge.judge.sequential.TailEProcess;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.InsufficientData;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * consecutiveErrorLimit, as in fixed mode. Pure: no I/O, no clock; the states travel with each stored measurement.
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

    private SequentialStep() {
    }

    /** One sequential test of a metric: display name, type (counts, ranks, quantile) and state. */
    record TestState(String name, String type, SequentialState state) {
    }

    /**
     * A metric's tests and bookkeeping, stored with each measurement.
     *
     * @param dataIntervals    intervals in which both cohorts had data (exposure, or samples)
     * @param noDataIntervals  intervals in which a cohort had none (inconclusiveLimit counts these)
     */
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

    static final String THRESHOLD = "threshold";

    /** The outcome of one measurement. */
    record StepOutcome(Lifecycle.Decision.Kind kind, Phase phase, Verdict verdict, String reason,
                   Map<String, MetricState> states, SequentialDecision decision, Map<String, Lifecycle.Counters> counters) {
    }

    /**
     * Number of abort tests of a template, over which splitAlpha divides α: 1 per counts or continuous metric
     * (informative quantile tests never abort; a threshold is a deterministic limit, no α spent).
     */
    static int tests(AnalysisTemplate t) {
        int n = 0;
        for (MetricTemplate m : t.metrics()) {
            n += m.kind() == MetricTemplate.MetricKindName.THRESHOLD ? 0 : 1;
            n += t.tailTested(m) ? 1 : 0;
        }
        return Math.max(1, n);
    }

    static MetricState start(AnalysisTemplate t, MetricTemplate m) {
        SequentialConfig c = t.sequential();
        int n = tests(t);
        Direction d = direction(m);
        List<TestState> tests = new ArrayList<>();
        if (m.kind() == MetricTemplate.MetricKindName.THRESHOLD) {
            return new MetricState(List.of(), 0, 0, 0, null, null);
        }
        Margins g = m.margins();
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            tests.add(new TestState(m.name(), COUNTS, c.startCounts(d, n, g)));
        } else {
            // the canary is divided by the margin's level: ×1.05 for "5 % slower", ÷(1/0.8) for "20 % less throughput"
            boolean decrease = d == Direction.DECREASE;
            double tol = decrease ? 1 / g.tolerance() : g.tolerance();
            double det = decrease ? 1 / g.detectable() : g.detectable();
            Direction opposite = decrease ? Direction.INCREASE : Direction.DECREASE;
            if (m.signTested()) {
                // a level with a few points per interval (CPU per request, memory per pod): one bet per timestamp
                tests.add(new TestState(m.name(), SIGN, c.startSign(d, n, tol)));
                if (m.isCritical() && !m.isDryRun()) {
                    tests.add(new TestState(m.name() + " rule-out", SIGN_RULE_OUT, c.startSign(opposite, n, det)));
                    tests.add(new TestState(m.name() + " within", SIGN_WITHIN, c.startSign(opposite, n, tol)));
                }
                return new MetricState(List.copyOf(tests), 0, 0, 0);
            }
            tests.add(c.fastMode() ? new TestState(m.name(), RANKS_FAST, c.startFastRanks(d, n, tol))
                    : new TestState(m.name(), RANKS, c.startRanks(d, n, tol)));
            // the power tests only matter where PROMOTE waits for them: an informative metric (CPU, memory) skips
            // them, which keeps two rank states per metric out of every measurement and of the engine's memory
            if (m.isCritical() && !m.isDryRun()) {
                tests.add(new TestState(m.name() + " rule-out", RANKS_RULE_OUT, c.startRanks(opposite, n, det)));
                tests.add(new TestState(m.name() + " within", RANKS_WITHIN, c.startRanks(opposite, n, tol)));
            }
            if (m.buckets() != null) {
                for (HistogramQuantileEProcess q : c.startHistogramQuantiles(d, n)) {
                    tests.add(new TestState(m.name() + " p" + percent(q.p()), QUANTILE_BUCKETS, q));
                }
            } else {
                for (QuantileEProcess q : c.startQuantiles(d, n)) {
                    tests.add(new TestState(m.name() + " p" + percent(q.p()), QUANTILE, q));
                }
            }
            if (t.tailTested(m)) {
                tests.add(new TestState(m.name() + " tail", TAIL, c.startTail(n)));
            }
        }
        return new MetricState(List.copyOf(tests), 0, 0, 0);
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
        Map<String, Lifecycle.Counters> counters = new LinkedHashMap<>();
        List<SequentialMetric> judged = new ArrayList<>();
        for (int i = 0; i < t.metrics().size(); i++) {
            MetricTemplate m = t.metrics().get(i);
            MetricState before = previous.containsKey(m.name()) ? previous.get(m.name()) : start(t, m);
            MetricState after = update(m, before, observations.get(i));
            states.put(m.name(), after);
            judged.addAll(judged(m, after));
            boolean crossed = aborting(after);
            ThresholdLook look = after.threshold();
            int failures = look != null ? look.breaches() : crossed ? 1 : 0;
            String last = look != null ? (look.breached() ? look.classification().name() : null)
                    : crossed ? (m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE ? "LOW" : "HIGH") : null;
            counters.put(m.name(), new Lifecycle.Counters(failures, after.noDataIntervals(), after.consecutiveErrors(),
                    last));
        }
        boolean criticalThreshold = t.metrics().stream().anyMatch(m -> m.kind() == MetricTemplate.MetricKindName.THRESHOLD
                && m.isCritical() && !m.isDryRun());
        SequentialDecision d;
        if (!judged.isEmpty()) {
            d = SequentialJudge.decide(t.sequential(), judged, seq >= t.count(), elapsed(t, seq), criticalThreshold);
        } else if (seq >= t.count() && criticalThreshold) {
            d = new SequentialDecision(SequentialAction.PROMOTE, "PROMOTE: the planned intervals are done.", List.of());
        } else {
            d = new SequentialDecision(SequentialAction.CONTINUE, "CONTINUE: no sequential test (threshold metrics "
                    + "only).", List.of());
        }
        String limits = thresholds(t, states);
        List<String> breached = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            ThresholdLook look = states.get(m.name()).threshold();
            if (look != null && m.isCritical() && !m.isDryRun() && look.breached()
                    && look.breaches() > m.failureLimitOrDefault()) {
                breached.add(m.name());
            }
        }
        if (!limits.isEmpty()) {
            d = new SequentialDecision(d.action(), d.reason() + " " + limits, d.metrics());
        }
        for (MetricTemplate m : t.metrics()) {
            MetricState s = states.get(m.name());
            if (!m.isDryRun() && s.consecutiveErrors() > m.consecutiveErrorLimitOrDefault()) {
                return finish(Phase.ERROR, Verdict.INCONCLUSIVE, "Metric " + m.name() + " could not be measured "
                        + s.consecutiveErrors() + " times in a row (consecutiveErrorLimit "
                        + m.consecutiveErrorLimitOrDefault() + "): " + errorOf(observations, t, m), states, d, counters);
            }
        }
        if (!breached.isEmpty()) {
            String why = "ABORT: critical threshold " + String.join(", ", breached) + " breached (a deterministic limit "
                    + "checked on every interval's values as fixed mode does, failureLimit included; no α is spent, so "
                    + "the sequential tests' false-abort guarantee is unchanged). "
                    + d.reason().replaceFirst("^(ABORT|CONTINUE|PROMOTE)[^:]*: ", "");
            return finish(Phase.FAILED, Verdict.ABORT, why + (seq < total ? " (aborted early at measurement "
                    + seq + " of " + total + ")" : ""), states, d, counters);
        }
        if (d.action() == SequentialAction.ABORT) {
            return finish(Phase.FAILED, Verdict.ABORT, d.reason() + (seq < total ? " (aborted early at measurement "
                    + seq + " of " + total + ")" : ""), states, d, counters);
        }
        for (MetricTemplate m : t.metrics()) {
            MetricState s = states.get(m.name());
            int limit = m.inconclusiveLimitOrDefault();
            if (!m.isDryRun() && limit >= 0 && s.noDataIntervals() > limit) {
                return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, "Metric " + m.name() + " had no data in "
                        + s.noDataIntervals() + " interval(s), over its inconclusiveLimit " + limit + ". " + d.reason(),
                        states, d, counters);
            }
        }
        List<String> starved = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            if (m.isCritical() && !m.isDryRun() && states.get(m.name()).dataIntervals() == 0) {
                starved.add(m.name());
            }
        }
        if (d.action() == SequentialAction.PROMOTE && starved.isEmpty()) {
            String reason = criticalThreshold ? d.reason().replaceFirst("^(PROMOTE[^:]*): ",
                    "$1: no critical threshold breached beyond its failureLimit; ") : d.reason();
            return finish(Phase.SUCCESSFUL, Verdict.PROMOTE, reason, states, d, counters);
        }
        if (seq < total) {
            return new StepOutcome(Lifecycle.Decision.Kind.CONTINUE, null, null, d.reason(), states, d, counters);
        }
        if (!starved.isEmpty()) {
            InsufficientData policy = t.insufficientData();
            String what = "Critical metric(s) " + String.join(", ", starved) + " still lack data after " + seq
                    + " interval(s)";
            switch (policy.actionOrDefault()) {
                case EXTEND -> {
                    if (extensionsUsed < policy.maxExtensionsOrDefault()) {
                        return new StepOutcome(Lifecycle.Decision.Kind.EXTEND, null, null, what
                                + "; extending by one interval (" + (extensionsUsed + 1) + " of "
                                + policy.maxExtensionsOrDefault() + ")", states, d, counters);
                    }
                    return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, what + " and " + extensionsUsed
                            + " extension(s) (insufficientData: extend, maxExtensions " + policy.maxExtensionsOrDefault()
                            + ").", states, d, counters);
                }
                case FAIL -> {
                    return finish(Phase.FAILED, Verdict.ABORT, what + " (insufficientData: fail).", states, d, counters);
                }
                default -> {
                    return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, what + " (insufficientData: inconclusive). "
                            + d.reason(), states, d, counters);
                }
            }
        }
        // Every critical metric has data, none is worse than its tolerance, but some cannot yet rule out the
        // regression it must detect: extending a sequential analysis is free (the guarantee holds at any stop).
        String missing = missing(t, states, d, seq);
        int max = t.sequential().maxIntervals(t.count());
        if (seq < max) {
            return new StepOutcome(Lifecycle.Decision.Kind.EXTEND, null, null, "Not yet: " + missing + " Extending by one "
                    + "interval (" + (seq + 1) + " of at most " + max + "). " + d.reason(), states, d, counters);
        }
        return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, "INCONCLUSIVE after " + seq + " intervals (maxCount "
                + max + "): " + missing + " No critical metric was worse than its tolerance. " + d.reason(), states,
                d, counters);
    }

    /** True once the metric's abort test or its tail test crossed ln(1/α). */
    static boolean aborting(MetricState s) {
        TestState abort = abortTest(s);
        TestState tail = s.test(TAIL);
        return abort != null && abort.state().crossed() || tail != null && tail.state().crossed();
    }

    /** The abort test of a metric (its first), or null for a threshold metric. */
    static TestState abortTest(MetricState s) {
        return s.tests().isEmpty() ? null : s.tests().get(0);
    }

    /** The metric as the judge sees it: its deciding entry, and informative entries for its quantile tests. */
    private static List<SequentialMetric> judged(MetricTemplate m, MetricState s) {
        boolean critical = m.isCritical() && !m.isDryRun();
        List<SequentialMetric> out = new ArrayList<>();
        for (TestState x : s.tests()) {
            switch (x.type()) {
                case COUNTS -> out.add(SequentialMetric.counts(x.name(), critical, (CountRatioEProcess) x.state()));
                case RANKS, RANKS_FAST, SIGN -> {
                    TestState ruleOut = ruleOut(s);
                    TestState within = x.type().equals(SIGN) ? s.test(SIGN_WITHIN) : s.test(RANKS_WITHIN);
                    // states started before margins existed have no rule-out test and no margins
                    Margins g = x.state() instanceof BatchRankEProcess r && r.scale() == 1 && ruleOut == null ? null
                            : m.margins();
                    out.add(SequentialMetric.ranks(x.name(), critical, g, x.state(),
                            ruleOut == null ? null : ruleOut.state(), within == null ? null : within.state(),
                            s.shift().ratio()));
                }
                case RANKS_RULE_OUT, RANKS_WITHIN, SIGN_RULE_OUT, SIGN_WITHIN -> {
                    // read through the metric's abort entry
                }
                case TAIL -> out.add(SequentialMetric.tail(x.name(), critical, (TailEProcess) x.state()));
                default -> out.add(SequentialMetric.informative(x.name(), x.state()));
            }
        }
        return out;
    }

    /** The rule-out test of a continuous metric (ranks or sign), or null. */
    static TestState ruleOut(MetricState s) {
        TestState r = s.test(RANKS_RULE_OUT);
        return r != null ? r : s.test(SIGN_RULE_OUT);
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
            TestState abort = abortTest(states.get(m.name()));
            MetricDecision md = abort == null ? null : d.metrics().stream().filter(x -> x.name().equals(abort.name()))
                    .findFirst().orElse(null);
            if (md == null || md.powered()) {
                continue;
            }
            Margins g = m.margins();
            boolean decrease = m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE;
            if (abort.state() instanceof CountRatioEProcess c) {
                parts.add(PowerText.counts(m.name(), c, g, decrease, minutes));
            } else {
                TestState ruleOut = ruleOut(states.get(m.name()));
                parts.add(PowerText.ranks(m.name(), ruleOut == null ? null : ruleOut.state(), g, decrease,
                        states.get(m.name()).shift().ratio(), minutes, seq));
            }
        }
        return parts.isEmpty() ? "every critical metric is powered." : String.join(" ", parts);
    }

    private static MetricState update(MetricTemplate m, MetricState s, Observation o) {
        if (o.error() != null) {
            return new MetricState(s.tests(), s.dataIntervals(), s.noDataIntervals(), s.consecutiveErrors() + 1,
                    s.threshold(), s.shift());
        }
        List<TestState> next = new ArrayList<>();
        boolean data;
        ShiftEstimate shift = s.shift();
        if (m.kind() == MetricTemplate.MetricKindName.THRESHOLD) {
            MetricResult r = Judging.judgeInterval(m, o);
            int before = s.threshold() == null ? 0 : s.threshold().breaches();
            ThresholdLook look = new ThresholdLook(r.classification(), r.rule(), r.explanation(), r.canaryLevel(),
                    r.stableLevel(), before + (r.classification() == Classification.HIGH
                    || r.classification() == Classification.LOW ? 1 : 0));
            data = r.classification() != Classification.NO_DATA;
            return new MetricState(List.of(), s.dataIntervals() + (data ? 1 : 0), s.noDataIntervals() + (data ? 0 : 1),
                    0, look, null);
        }
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            CountInterval interval = interval(o);
            data = interval.canaryExposure() > 0 && interval.stableExposure() > 0;
            for (TestState x : s.tests()) {
                next.add(new TestState(x.name(), x.type(), ((CountRatioEProcess) x.state()).update(interval)));
            }
        } else if (m.buckets() != null) {
            Buckets.Paired h = histogram(o);
            data = h != null && h.canaryTotal() > 0 && h.stableTotal() > 0;
            for (TestState x : s.tests()) {
                SequentialState n = x.state();
                if (n instanceof BatchRankEProcess r) {
                    n = data ? r.updateHistogram(h.bounds(), h.canary(), h.stable()) : r.update(NONE, NONE);
                } else if (n instanceof RankZMixture z) {
                    n = data ? z.updateHistogram(h.bounds(), h.canary(), h.stable()) : z.update(NONE, NONE);
                } else if (n instanceof HistogramQuantileEProcess q && data) {
                    n = q.updateHistogram(h.bounds(), h.canary(), h.stable());
                } else if (n instanceof TailEProcess tail && data) {
                    n = tail.updateHistogram(h.bounds(), h.canary(), h.stable());
                }
                next.add(new TestState(x.name(), x.type(), n));
            }
            shift = data ? shift.addHistogram(h.bounds(), h.canary(), h.stable()) : shift;
        } else {
            double[] c = finite(o.canary().values());
            double[] st = finite(o.stable().values());
            data = c.length > 0 && st.length > 0;
            for (TestState x : s.tests()) {
                SequentialState n = x.state();
                if (n instanceof BatchRankEProcess r) {
                    n = r.update(c, st);
                } else if (n instanceof RankZMixture z) {
                    n = z.update(c, st);
                } else if (n instanceof QuantileEProcess q && data) {
                    n = q.update(c, st);
                } else if (n instanceof TailEProcess tail && data) {
                    n = tail.update(c, st);
                } else if (n instanceof PairedSignEProcess p) {
                    n = p.update(o.canary().values(), o.canary().times(), o.stable().values(), o.stable().times());
                }
                next.add(new TestState(x.name(), x.type(), n));
            }
            shift = data ? shift.addSamples(c, st) : shift;
        }
        return new MetricState(List.copyOf(next), s.dataIntervals() + (data ? 1 : 0),
                s.noDataIntervals() + (data ? 0 : 1), 0, null, shift);
    }

    private static final double[] NONE = new double[0];

    /** The interval's integer counts: the sums read over the interval, rounded (see README "Sequential mode"). */
    static CountInterval interval(Observation o) {
        return new CountInterval(count(o.canary().events()), count(o.stable().events()), exposure(o.canary().exposure()),
                exposure(o.stable().exposure()));
    }

    /** The threshold metrics' sentences of this look, for the reason. */
    private static String thresholds(AnalysisTemplate t, Map<String, MetricState> states) {
        List<String> parts = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            ThresholdLook look = states.get(m.name()).threshold();
            if (look != null) {
                parts.add(thresholdSentence(m, look));
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

    /**
     * The interval's histogram of both cohorts on shared boundaries (per-bucket integer counts), or null when
     * the metric has no buckets or neither cohort returned any bucket series; a cohort without series has none.
     */
    static Buckets.Paired histogram(Observation o) {
        Buckets c = o.canary().buckets();
        Buckets s = o.stable().buckets();
        if (c == null && s == null) {
            return null;
        }
        Buckets none = new Buckets(new double[] {Double.POSITIVE_INFINITY}, new double[] {0});
        return Buckets.pair(c == null ? none : c, s == null ? none : s);
    }

    private static long count(Double events) {
        return events == null || !Double.isFinite(events) || events < 0 ? 0 : Math.round(events);
    }

    private static double exposure(Double exposure) {
        return exposure == null || !Double.isFinite(exposure) || exposure < 0 ? 0 : exposure;
    }

    private static double[] finite(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).toArray();
    }

    private static Direction direction(MetricTemplate m) {
        return switch (m.directionOrDefault()) {
            case INCREASE -> Direction.INCREASE;
            case DECREASE -> Direction.DECREASE;
            case EITHER -> Direction.EITHER;
        };
    }

    private static String percent(double p) {
        double v = 100 * p;
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static String errorOf(List<Observation> observations, AnalysisTemplate t, MetricTemplate m) {
        return m.name() + " has ERROR: " + observations.get(t.metrics().indexOf(m)).error();
    }

    private static StepOutcome finish(Phase phase, Verdict verdict, String reason, Map<String, MetricState> states,
                                  SequentialDecision d, Map<String, Lifecycle.Counters> counters) {
        return new StepOutcome(Lifecycle.Decision.Kind.FINISH, phase, verdict, reason, states, d, counters);
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

    // ---- JSON: the states travel with each measurement, so a restarted service continues the same process ----

    static ObjectNode toJson(ObjectMapper json, Map<String, MetricState> states) {
        ObjectNode out = json.createObjectNode();
        states.forEach((name, s) -> {
            ObjectNode n = out.putObject(name);
            n.put("dataIntervals", s.dataIntervals());
            n.put("noDataIntervals", s.noDataIntervals());
            n.put("consecutiveErrors", s.consecutiveErrors());
            if (s.threshold() != null) {
                n.putPOJO(THRESHOLD, s.threshold());
            }
            if (s.shift().intervals() > 0) {
                n.putPOJO("shift", s.shift());
            }
            ArrayNode tests = n.putArray("tests");
            for (TestState t : s.tests()) {
                ObjectNode x = tests.addObject();
                x.put("name", t.name());
                x.put("type", t.type());
                // serialised straight into the measurement document when it is written: no intermediate tree
                x.putPOJO("state", t.state());
            }
        });
        return out;
    }

    static Map<String, MetricState> fromJson(ObjectMapper json, JsonNode node) {
        Map<String, MetricState> out = new LinkedHashMap<>();
        if (node == null || !node.isObject()) {
            return out;
        }
        node.fields().forEachRemaining(e -> {
            JsonNode n = e.getValue();
            List<TestState> tests = new ArrayList<>();
            for (JsonNode x : n.path("tests")) {
                String type = x.path("type").asText();
                Class<? extends SequentialState> cls = switch (type) {
                    case COUNTS -> CountRatioEProcess.class;
                    case RANKS, RANKS_RULE_OUT, RANKS_WITHIN -> BatchRankEProcess.class;
                    case RANKS_FAST -> RankZMixture.class;
                    case QUANTILE -> QuantileEProcess.class;
                    case QUANTILE_BUCKETS -> HistogramQuantileEProcess.class;
                    case TAIL -> TailEProcess.class;
                    case SIGN, SIGN_RULE_OUT, SIGN_WITHIN -> PairedSignEProcess.class;
                    default -> throw new IllegalArgumentException("unknown sequential test type " + type);
                };
                tests.add(new TestState(x.path("name").asText(), type, json.convertValue(x.path("state"), cls)));
            }
            ThresholdLook look = n.hasNonNull(THRESHOLD) ? json.convertValue(n.get(THRESHOLD), ThresholdLook.class) : null;
            ShiftEstimate shift = n.hasNonNull("shift") ? json.convertValue(n.get("shift"), ShiftEstimate.class) : null;
            out.put(e.getKey(), new MetricState(List.copyOf(tests), n.path("dataIntervals").asInt(),
                    n.path("noDataIntervals").asInt(), n.path("consecutiveErrors").asInt(), look, shift));
        });
        return out;
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
        if (aborting(s)) {
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
            d.metrics().stream().filter(x -> x.name().equals(t.name())).findFirst()
                    .ifPresent(x -> parts.add(x.explanation()));
        }
        return String.join(" ", parts);
    }

    /** Per test of a metric: ln M, threshold, anytime p, looks, status, the sentence, and the estimate. */
    static ArrayNode describe(ObjectMapper json, MetricTemplate m, MetricState s, SequentialDecision d) {
        ArrayNode out = describe(json, s, d);
        ThresholdLook look = s.threshold();
        if (look != null) {
            ObjectNode n = out.addObject();
            n.put("test", m.name());
            n.put("type", THRESHOLD);
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

    private static void margins(ObjectNode n, Margins g) {
        ObjectNode o = n.putObject("margins");
        o.put("tolerance", g.tolerance());
        o.put("detectable", g.detectable());
    }

    static ArrayNode describe(ObjectMapper json, MetricState s, SequentialDecision d) {
        ArrayNode out = json.createArrayNode();
        for (TestState t : s.tests()) {
            MetricDecision md = d.metrics().stream().filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
            ObjectNode n = out.addObject();
            n.put("test", t.name());
            n.put("type", t.type());
            n.put("method", t.state().test());
            Judging.number(n, "logM", t.state().logM());
            Judging.number(n, "maxLogM", t.state().maxLogM());
            Judging.number(n, "threshold", t.state().threshold());
            Judging.number(n, "pValue", t.state().pValue());
            n.put("alpha", t.state().alpha());
            n.put("looks", t.state().looks());
            n.put("crossed", t.state().crossed());
            n.put("asymptotic", t.state().asymptotic());
            if (md != null) {
                n.put("status", md.status().name());
                n.put("explanation", md.explanation());
            }
            if (t.state() instanceof CountRatioEProcess c) {
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
            } else if (t.state() instanceof BatchRankEProcess r) {
                    Judging.number(n, "auc", r.auc());
                    Judging.number(n, "lastAuc", r.lastAuc());
                    n.put("canaryDividedBy", r.scale());
                    if (t.type().equals(RANKS) && s.test(RANKS_RULE_OUT) != null) {
                        Judging.number(n, "shift", s.shift().ratio());
                    }
            } else if (t.state() instanceof PairedSignEProcess p) {
                    n.put("worse", p.worse());
                    n.put("better", p.better());
                    n.put("canaryDividedBy", p.scale());
                    if (t.type().equals(SIGN)) {
                        Judging.number(n, "shift", s.shift().ratio());
                    }
            } else if (t.state() instanceof RankZMixture z) {
                    Judging.number(n, "meanZ", z.meanZ());
                    n.put("intervals", z.intervals());
            } else if (t.state() instanceof QuantileEProcess q) {
                    Judging.number(n, "canaryQuantile", q.canaryQuantile());
                    Judging.number(n, "stableQuantile", q.stableQuantile());
            } else if (t.state() instanceof TailEProcess tail) {
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
            } else if (t.state() instanceof HistogramQuantileEProcess q) {
                    Judging.number(n, "canaryQuantile", q.canaryQuantile());
                    Judging.number(n, "stableQuantile", q.stableQuantile());
                    n.put("canaryCount", q.canaryCount());
                    n.put("stableCount", q.stableCount());
            }
        }
        return out;
    }
}
