package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.MetricDecision;
import io.canaryjudge.judge.sequential.QuantileABTest;
import io.canaryjudge.judge.sequential.SequentialAction;
import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.judge.sequential.SequentialJudge;
import io.canaryjudge.judge.sequential.SequentialMetric;
import io.canaryjudge.judge.sequential.SequentialState;
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
 * One measurement of {@code mode: sequential} (ADR 0004): feeds the new interval of every metric to its
 * e-processes (counts: {@link CountRatioEProcess}; continuous: {@link BatchRankEProcess} plus one
 * {@link QuantileABTest} per configured quantile), then decides. ABORT as soon as a critical metric's
 * ln M reaches ln(1/α); an early PROMOTE only if configured; at the last measurement PROMOTE only when no
 * critical metric crossed and every critical metric had data in at least one interval, otherwise the
 * template's insufficient-data action (never PROMOTE on missing data). Query errors skip the interval
 * (no look: valid, the process just does not move) and count towards consecutiveErrorLimit, as in fixed
 * mode. Pure: no I/O, no clock; the states travel with each stored measurement.
 */
final class SequentialStep {
    static final String COUNTS = "counts";
    static final String RANKS = "ranks";
    static final String QUANTILE = "quantile";

    private SequentialStep() {
    }

    /** One sequential test of a metric: display name, type (counts, ranks, quantile) and state. */
    record Test(String name, String type, SequentialState state) {
    }

    /**
     * A metric's tests and bookkeeping, stored with each measurement.
     *
     * @param dataIntervals    intervals in which both cohorts had data (exposure, or samples)
     * @param noDataIntervals  intervals in which a cohort had none (inconclusiveLimit counts these)
     */
    record MetricState(List<Test> tests, int dataIntervals, int noDataIntervals, int consecutiveErrors) {
    }

    /** The outcome of one measurement. */
    record Outcome(Lifecycle.Decision.Kind kind, Phase phase, Verdict verdict, String reason,
                   Map<String, MetricState> states, SequentialDecision decision, Map<String, Lifecycle.Counters> counters) {
    }

    /** Number of sequential tests of a template: 1 per counts metric, 1 + quantiles per continuous metric. */
    static int tests(AnalysisTemplate t) {
        int n = 0;
        for (MetricTemplate m : t.metrics()) {
            n += m.kind() == MetricTemplate.MetricKindName.COUNTS ? 1 : 1 + t.sequential().quantiles().size();
        }
        return n;
    }

    static MetricState start(AnalysisTemplate t, MetricTemplate m) {
        SequentialConfig c = t.sequential();
        int n = tests(t);
        Direction d = direction(m);
        List<Test> tests = new ArrayList<>();
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            tests.add(new Test(m.name(), COUNTS, c.startCounts(d, n)));
        } else {
            tests.add(new Test(m.name(), RANKS, c.startRanks(d, n)));
            for (QuantileABTest q : c.startQuantiles(d, n)) {
                tests.add(new Test(m.name() + " p" + percent(q.p()), QUANTILE, q));
            }
        }
        return new MetricState(List.copyOf(tests), 0, 0, 0);
    }

    /**
     * @param previous     states stored with the previous measurement (empty at the first)
     * @param observations this interval's data per template metric (NaN policy applied), in template order
     */
    static Outcome step(AnalysisTemplate t, Map<String, MetricState> previous, List<Observation> observations, int seq,
                        int total, int extensionsUsed) {
        Map<String, MetricState> states = new LinkedHashMap<>();
        Map<String, Lifecycle.Counters> counters = new LinkedHashMap<>();
        List<SequentialMetric> judged = new ArrayList<>();
        for (int i = 0; i < t.metrics().size(); i++) {
            MetricTemplate m = t.metrics().get(i);
            MetricState before = previous.containsKey(m.name()) ? previous.get(m.name()) : start(t, m);
            MetricState after = update(m, before, observations.get(i));
            states.put(m.name(), after);
            for (Test test : after.tests()) {
                judged.add(SequentialMetric.of(test.name(), m.isCritical() && !m.isDryRun(), test.state(), t.sequential()));
            }
            boolean crossed = after.tests().stream().anyMatch(x -> x.state().crossed());
            counters.put(m.name(), new Lifecycle.Counters(crossed ? 1 : 0, after.noDataIntervals(),
                    after.consecutiveErrors(), crossed ? "HIGH" : null));
        }
        SequentialDecision d = SequentialJudge.decide(t.sequential(), judged);
        for (MetricTemplate m : t.metrics()) {
            MetricState s = states.get(m.name());
            if (!m.isDryRun() && s.consecutiveErrors() > m.consecutiveErrorLimitOrDefault()) {
                return finish(Phase.ERROR, Verdict.INCONCLUSIVE, "Metric " + m.name() + " could not be measured "
                        + s.consecutiveErrors() + " times in a row (consecutiveErrorLimit "
                        + m.consecutiveErrorLimitOrDefault() + "): " + errorOf(observations, t, m), states, d, counters);
            }
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
            return finish(Phase.SUCCESSFUL, Verdict.PROMOTE, d.reason(), states, d, counters);
        }
        if (seq < total) {
            return new Outcome(Lifecycle.Decision.Kind.CONTINUE, null, null, d.reason(), states, d, counters);
        }
        if (!starved.isEmpty()) {
            InsufficientData policy = t.insufficientData();
            String what = "Critical metric(s) " + String.join(", ", starved) + " still lack data after " + seq
                    + " interval(s)";
            switch (policy.actionOrDefault()) {
                case EXTEND -> {
                    if (extensionsUsed < policy.maxExtensionsOrDefault()) {
                        return new Outcome(Lifecycle.Decision.Kind.EXTEND, null, null, what
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
        return finish(Phase.SUCCESSFUL, Verdict.PROMOTE, promoteReason(d, seq), states, d, counters);
    }

    /** The final PROMOTE in words, with the sentences of the critical tests (the others are in the metrics). */
    private static String promoteReason(SequentialDecision d, int seq) {
        List<String> critical = new ArrayList<>();
        double threshold = Double.NaN;
        for (MetricDecision m : d.metrics()) {
            threshold = m.threshold();
            if (m.critical()) {
                critical.add(m.explanation());
            }
        }
        return String.format(Locale.ROOT, "PROMOTE: no critical metric reached ln(1/α) = %.4g in %d interval(s): no "
                + "evidence of a regression at level α (false-abort rate ≤ α per test however often it looked). %s",
                threshold, seq, String.join(" ", critical)).strip();
    }

    private static MetricState update(MetricTemplate m, MetricState s, Observation o) {
        if (o.error() != null) {
            return new MetricState(s.tests(), s.dataIntervals(), s.noDataIntervals(), s.consecutiveErrors() + 1);
        }
        List<Test> next = new ArrayList<>();
        boolean data;
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            CountInterval interval = interval(o);
            data = interval.canaryExposure() > 0 && interval.stableExposure() > 0;
            for (Test x : s.tests()) {
                next.add(new Test(x.name(), x.type(), ((CountRatioEProcess) x.state()).update(interval)));
            }
        } else {
            double[] c = finite(o.canary().values());
            double[] st = finite(o.stable().values());
            data = c.length > 0 && st.length > 0;
            for (Test x : s.tests()) {
                SequentialState n = x.state();
                if (n instanceof BatchRankEProcess r) {
                    n = r.update(c, st);
                } else if (n instanceof QuantileABTest q && data) {
                    n = q.update(c, st);
                }
                next.add(new Test(x.name(), x.type(), n));
            }
        }
        return new MetricState(List.copyOf(next), s.dataIntervals() + (data ? 1 : 0),
                s.noDataIntervals() + (data ? 0 : 1), 0);
    }

    /** The interval's integer counts: the sums read over the interval, rounded (see README "Sequential mode"). */
    static CountInterval interval(Observation o) {
        return new CountInterval(count(o.canary().events()), count(o.stable().events()), exposure(o.canary().exposure()),
                exposure(o.stable().exposure()));
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

    private static Outcome finish(Phase phase, Verdict verdict, String reason, Map<String, MetricState> states,
                                  SequentialDecision d, Map<String, Lifecycle.Counters> counters) {
        return new Outcome(Lifecycle.Decision.Kind.FINISH, phase, verdict, reason, states, d, counters);
    }

    // ---- JSON: the states travel with each measurement, so a restarted service continues the same process ----

    static ObjectNode toJson(ObjectMapper json, Map<String, MetricState> states) {
        ObjectNode out = json.createObjectNode();
        states.forEach((name, s) -> {
            ObjectNode n = out.putObject(name);
            n.put("dataIntervals", s.dataIntervals());
            n.put("noDataIntervals", s.noDataIntervals());
            n.put("consecutiveErrors", s.consecutiveErrors());
            ArrayNode tests = n.putArray("tests");
            for (Test t : s.tests()) {
                ObjectNode x = tests.addObject();
                x.put("name", t.name());
                x.put("type", t.type());
                x.set("state", json.valueToTree(t.state()));
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
            List<Test> tests = new ArrayList<>();
            for (JsonNode x : n.path("tests")) {
                String type = x.path("type").asText();
                Class<? extends SequentialState> cls = switch (type) {
                    case COUNTS -> CountRatioEProcess.class;
                    case RANKS -> BatchRankEProcess.class;
                    case QUANTILE -> QuantileABTest.class;
                    default -> throw new IllegalArgumentException("unknown sequential test type " + type);
                };
                tests.add(new Test(x.path("name").asText(), type, json.convertValue(x.path("state"), cls)));
            }
            out.put(e.getKey(), new MetricState(List.copyOf(tests), n.path("dataIntervals").asInt(),
                    n.path("noDataIntervals").asInt(), n.path("consecutiveErrors").asInt()));
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
        if (s.tests().stream().anyMatch(t -> t.state().crossed())) {
            return m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE ? Classification.LOW
                    : Classification.HIGH;
        }
        return s.dataIntervals() == 0 ? Classification.NO_DATA : Classification.PASS;
    }

    /** The sentences of the metric's tests, joined. */
    static String explanation(MetricState s, SequentialDecision d) {
        List<String> parts = new ArrayList<>();
        for (Test t : s.tests()) {
            d.metrics().stream().filter(x -> x.name().equals(t.name())).findFirst()
                    .ifPresent(x -> parts.add(x.explanation()));
        }
        return String.join(" ", parts);
    }

    /** Per test of a metric: ln M, threshold, anytime p, looks, status, the sentence, and the estimate. */
    static ArrayNode describe(ObjectMapper json, MetricState s, SequentialDecision d) {
        ArrayNode out = json.createArrayNode();
        for (Test t : s.tests()) {
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
            if (md != null) {
                n.put("status", md.status().name());
                n.put("explanation", md.explanation());
            }
            if (t.state() instanceof CountRatioEProcess c) {
                    var r = c.confidenceSequence();
                    ObjectNode rr = n.putObject("rateRatio");
                    Judging.number(rr, "estimate", r.estimate());
                    Judging.number(rr, "lower", r.lower());
                    Judging.number(rr, "upper", r.upper());
                    rr.put("confidenceLevel", r.confidenceLevel());
                    n.put("canaryErrors", c.canaryErrors());
                    n.put("stableErrors", c.stableErrors());
            } else if (t.state() instanceof BatchRankEProcess r) {
                    Judging.number(n, "auc", r.auc());
                    Judging.number(n, "lastAuc", r.lastAuc());
            } else if (t.state() instanceof QuantileABTest q) {
                    Judging.number(n, "canaryQuantile", q.canaryQuantile());
                    Judging.number(n, "stableQuantile", q.stableQuantile());
            }
        }
        return out;
    }
}
