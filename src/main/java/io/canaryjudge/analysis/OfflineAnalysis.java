package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
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
 * measurement in turn through the live engine's {@link MeasurementPipeline} (fixed: cumulative windows,
 * {@link Lifecycle}; sequential: one new interval per look, {@link SequentialStep}), low-traffic extensions included.
 * Nothing is stored, published or rolled back; the data come from a {@link RangeSource}. Used by backtests (A/A
 * calibration and replays).
 */
public final class OfflineAnalysis {
    private final MeasurementPipeline pipeline;

    public OfflineAnalysis(ObjectMapper json) {
        this.pipeline = new MeasurementPipeline(Objects.requireNonNull(json, "json == null"), false, 0);
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
    public Result run(AnalysisTemplate t, Cohorts c, Instant startedAt, RangeSource source) {
        MetricReader.Scope scope = new MetricReader.Scope(c.namespace(), c.service(), c.canary(), c.stable());
        Instant start = startedAt.plus(t.initialDelay());
        MeasurementPipeline.Carried carried = MeasurementPipeline.Carried.NONE;
        int total = t.count();
        int extensions = 0;
        for (int seq = 1; ; seq++) {
            MeasurementPipeline.Measurement m = pipeline.take(new MeasurementPipeline.Look(t, source, scope, start,
                    seq, total, extensions), carried);
            carried = m.carried();
            if (m.kind() == Lifecycle.Decision.Kind.EXTEND) {
                extensions++;
                total++;
            } else if (m.kind() == Lifecycle.Decision.Kind.FINISH) {
                // fixed mode reports the whole window read by the deciding look, sequential mode its new interval
                Instant lookStart = t.sequentialMode() ? m.windowStart() : start;
                return new Result(m.finalVerdict(), m.phase().name(), m.reason(), seq, total, extensions, lookStart,
                        m.windowEnd(), outcomes(m));
            }
        }
    }

    /** Each metric at the deciding look, with the numbers the live analysis stores (without the raw values). */
    private List<MetricOutcome> outcomes(MeasurementPipeline.Measurement m) {
        List<MetricOutcome> metrics = new ArrayList<>();
        List<MetricTemplate> templates = m.look().template().metrics();
        for (int i = 0; i < templates.size(); i++) {
            MetricTemplate metric = templates.get(i);
            ObjectNode detail = pipeline.metricEntry(m, i);
            String cls = detail.path("classification").asText();
            if (m.fixed() != null) {
                // Lifecycle's failure limit: over it, the metric counts as failed even if the last look passed
                Lifecycle.Counters k = m.fixed().counters().get(metric.name());
                if (!failed(Classification.valueOf(cls)) && k.failures() > metric.failureLimitOrDefault()
                        && k.lastFailure() != null) {
                    cls = k.lastFailure();
                }
                detail.put("classification", cls);
            }
            metrics.add(new MetricOutcome(metric.name(), metric.isCritical(), metric.isDryRun(), cls,
                    failed(Classification.valueOf(cls)), detail.path("explanation").asText(null), detail));
        }
        return List.copyOf(metrics);
    }

    private static boolean failed(Classification c) {
        return c == Classification.HIGH || c == Classification.LOW;
    }
}
