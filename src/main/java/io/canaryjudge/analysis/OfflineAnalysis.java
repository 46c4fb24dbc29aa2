package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One whole analysis run at once over past data, with the live engine's rules and nothing else: every
 * measurement in turn (fixed: cumulative windows, {@link Lifecycle}; sequential: one new interval per look,
 * {@link SequentialStep}), low-traffic extensions included. Nothing is stored, published or rolled back; the
 * data come from a {@link RangeSource}. Used by backtests (A/A calibration and replays).
 */
public final class OfflineAnalysis {
    private final ObjectMapper json;
    private final Judging judging;

    public OfflineAnalysis(ObjectMapper json) {
        this.json = Objects.requireNonNull(json, "json == null");
        this.judging = new Judging(json);
    }

    /** Who is compared: the placeholders of the template's queries and each side's label matchers. */
    public record Cohorts(String namespace, String service, Map<String, String> canary, Map<String, String> stable) {
        public Cohorts {
            Objects.requireNonNull(namespace, "namespace == null");
            Objects.requireNonNull(service, "service == null");
            canary = Map.copyOf(canary);
            stable = Map.copyOf(stable);
        }
    }

    /**
     * A metric at the deciding measurement.
     *
     * @param failed HIGH or LOW at the deciding look (fixed mode: after its failureLimit; sequential: ln M crossed)
     * @param detail the numbers the live analysis stores for the metric (tests, intervals, shift, queries)
     */
    public record MetricOutcome(String name, boolean critical, boolean dryRun, String classification, boolean failed,
                                String explanation, ObjectNode detail) {
    }

    /**
     * The verdict of the analysis.
     *
     * @param decidedAt    the measurement (look) at which it finished, 1-based
     * @param measurements the measurements planned at the end (count plus extensions)
     * @param lookStart    start of the data read by the deciding look (fixed: the cumulative window's start)
     * @param lookEnd      end of that data
     */
    public record Result(Verdict verdict, String phase, String reason, int decidedAt, int measurements, int extensions,
                          Instant lookStart, Instant lookEnd, List<MetricOutcome> metrics) {
        /** Names of the metrics failed at the deciding look that could decide (not dry-run). */
        public List<String> failedMetrics() {
            return metrics.stream().filter(m -> m.failed() && !m.dryRun()).map(MetricOutcome::name).toList();
        }
    }

    /** Runs every measurement of an analysis started at {@code startedAt} until it finishes. */
    public Result run(AnalysisTemplate t, Cohorts cohorts, Instant startedAt, RangeSource source) {
        return t.sequentialMode() ? sequential(t, cohorts, startedAt, source) : fixed(t, cohorts, startedAt, source);
    }

    private static MetricReader.Scope target(Cohorts c) {
        return new MetricReader.Scope(c.namespace(), c.service(), c.canary(), c.stable());
    }

    /** As {@code AnalysisEngine.take}: measurement i reads [start, start + i·interval]. */
    private Result fixed(AnalysisTemplate t, Cohorts c, Instant startedAt, RangeSource source) {
        Instant windowStart = startedAt.plus(t.initialDelay());
        Map<String, Lifecycle.Counters> counters = Map.of();
        int total = t.count();
        int extensions = 0;
        for (int seq = 1; ; seq++) {
            Instant windowEnd = windowStart.plus(t.interval().multipliedBy(seq));
            List<Observation> observations = new ArrayList<>();
            List<MetricResult> judged = new ArrayList<>();
            for (MetricTemplate m : t.metrics()) {
                Observation o = Judging.applyNanPolicy(m, MetricReader.read(source, t, m, target(c), windowStart,
                        windowEnd));
                observations.add(o);
                judged.add(judging.judge(Judging.spec(m), o));
            }
            Lifecycle.Decision d = Lifecycle.step(t, counters, judged, seq, total, extensions);
            counters = d.counters();
            if (d.kind() == Lifecycle.Decision.Kind.EXTEND) {
                extensions++;
                total++;
            } else if (d.kind() == Lifecycle.Decision.Kind.FINISH) {
                List<MetricOutcome> metrics = new ArrayList<>();
                for (int i = 0; i < t.metrics().size(); i++) {
                    MetricTemplate m = t.metrics().get(i);
                    MetricResult r = judged.get(i);
                    Lifecycle.Counters k = d.counters().get(m.name());
                    // Lifecycle's failure limit: over it, the metric counts as failed even if the last look passed
                    String cls = failed(r.classification()) || k.failures() <= m.failureLimitOrDefault()
                            || k.lastFailure() == null ? r.classification().name() : k.lastFailure();
                    ObjectNode detail = detail(m, observations.get(i));
                    judging.describe(r, detail);
                    detail.put("classification", cls);
                    metrics.add(new MetricOutcome(m.name(), m.isCritical(), m.isDryRun(), cls,
                            failed(Classification.valueOf(cls)), r.explanation(), detail));
                }
                return new Result(d.verdict(), d.phase().name(), d.reason(), seq, total, extensions, windowStart,
                        windowEnd, List.copyOf(metrics));
            }
        }
    }

    /**
     * As {@code AnalysisEngine.takeSequential}: look i reads the new interval (start + (i−1)·interval,
     * start + i·interval] ({@code MetricReader.readInterval}: points, raw counters or buckets).
     */
    private Result sequential(AnalysisTemplate t, Cohorts c, Instant startedAt, RangeSource source) {
        Instant windowStart = startedAt.plus(t.initialDelay());
        Map<String, SequentialStep.MetricState> states = Map.of();
        int total = t.count();
        int extensions = 0;
        for (int seq = 1; ; seq++) {
            Instant intervalStart = windowStart.plus(t.interval().multipliedBy(seq - 1L));
            Instant intervalEnd = windowStart.plus(t.interval().multipliedBy(seq));
            List<Observation> observations = new ArrayList<>();
            for (MetricTemplate m : t.metrics()) {
                observations.add(Judging.applyNanPolicy(m, MetricReader.readInterval(source, t, m, target(c),
                        intervalStart, intervalEnd)));
            }
            SequentialStep.StepOutcome d = SequentialStep.step(t, states, observations, seq, total, extensions);
            states = d.states();
            if (d.kind() == Lifecycle.Decision.Kind.EXTEND) {
                extensions++;
                total++;
            } else if (d.kind() == Lifecycle.Decision.Kind.FINISH) {
                List<MetricOutcome> metrics = new ArrayList<>();
                for (int i = 0; i < t.metrics().size(); i++) {
                    MetricTemplate m = t.metrics().get(i);
                    Observation o = observations.get(i);
                    SequentialStep.MetricState state = d.states().get(m.name());
                    Classification cls = SequentialStep.classification(m, state, o);
                    String explanation = SequentialStep.explanation(m, state, d.decision());
                    ObjectNode detail = detail(m, o);
                    if (o.error() == null && m.kind() == MetricTemplate.MetricKindName.COUNTS) {
                        detail.set("interval", json.valueToTree(SequentialStep.interval(o)));
                    }
                    detail.put("classification", cls.name());
                    detail.put("explanation", explanation);
                    detail.set("sequential", SequentialStep.describe(json, m, state, d.decision()));
                    metrics.add(new MetricOutcome(m.name(), m.isCritical(), m.isDryRun(), cls.name(), failed(cls),
                            explanation, detail));
                }
                return new Result(d.verdict(), d.phase().name(), d.reason(), seq, total, extensions, intervalStart,
                        intervalEnd, List.copyOf(metrics));
            }
        }
    }

    private static boolean failed(Classification c) {
        return c == Classification.HIGH || c == Classification.LOW;
    }

    /** The metric's identity and each cohort's rendered queries (values are left out: a backtest has many). */
    private ObjectNode detail(MetricTemplate m, Observation o) {
        ObjectNode n = json.createObjectNode();
        n.put("name", m.name());
        n.put("kind", m.kind().name().toLowerCase());
        n.put("critical", m.isCritical());
        if (m.isDryRun()) {
            n.put("dryRun", true);
        }
        if (o.error() != null) {
            n.put("error", o.error());
            return n;
        }
        for (String side : List.of("canary", "stable")) {
            Observation.CohortData data = side.equals("canary") ? o.canary() : o.stable();
            ObjectNode cohort = n.putObject(side);
            ArrayNode queries = cohort.putArray("queries");
            data.queries().forEach(queries::add);
            if (data.exposure() != null || data.events() != null) {
                Judging.number(cohort, "events", data.events() == null ? Double.NaN : data.events());
                Judging.number(cohort, "exposure", data.exposure() == null ? Double.NaN : data.exposure());
            }
        }
        return n;
    }
}
