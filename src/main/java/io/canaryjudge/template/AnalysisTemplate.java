package io.canaryjudge.template;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.canaryjudge.judge.sequential.SequentialConfig;
import java.time.Duration;
import java.util.List;

/**
 * A validated analysis template: how long, how often, what to query and how to score.
 *
 * @param interval     time between measurements; measurement i covers [start, start + i*interval]
 * @param initialDelay warm-up left out of every window: start = startedAt + initialDelay
 * @param count        number of measurements (before any low-traffic extension)
 * @param step         resolution of query_range (and the {{step}} placeholder)
 * @param pass         score at or above which the verdict is PROMOTE
 * @param marginal     score at or above which (below pass) the verdict is INCONCLUSIVE
 * @param rollback     what an ABORT does to the workload; null means the service-wide defaults
 * @param mode         sequential (the parser's default: anytime-valid e-processes fed one new interval per
 *                     measurement; ADR 0004) or fixed (cumulative windows, Argo limits, scorer)
 * @param sequential   parameters of sequential mode (SequentialConfig defaults when absent)
 */
public record AnalysisTemplate(
        String name,
        String description,
        Duration interval,
        Duration initialDelay,
        int count,
        Duration step,
        double pass,
        double marginal,
        InsufficientData insufficientData,
        List<MetricTemplate> metrics,
        String source,
        RollbackPolicy rollback,
        Mode mode,
        SequentialConfig sequential) {

    /** How measurements are judged and decided. */
    public enum Mode {
        @JsonProperty("fixed") FIXED,
        @JsonProperty("sequential") SEQUENTIAL
    }

    public AnalysisTemplate {
        // TemplateParser always sets the mode (sequential when a template omits it); null here only comes from
        // analyses stored before the field existed, which were all judged in fixed mode and must resume so
        mode = mode == null ? Mode.FIXED : mode;
        sequential = sequential == null ? SequentialConfig.defaults() : sequential;
        metrics = List.copyOf(metrics);
        initialDelay = initialDelay == null ? Duration.ZERO : initialDelay;
        insufficientData = insufficientData == null ? InsufficientData.DEFAULT : insufficientData;
    }

    public boolean sequentialMode() {
        return mode == Mode.SEQUENTIAL;
    }

    /**
     * Sequential mode gives a continuous metric read from histogram buckets where higher is worse a tail test (each
     * observation is a request), unless the template turned it off; query points (two CPU samples an interval) have
     * no tail to count. The tail test is one more abort test (α split, union bound).
     */
    public boolean tailTested(MetricTemplate m) {
        return m.kind() == MetricTemplate.MetricKindName.CONTINUOUS && m.buckets() != null
                && sequential.tailQuantile() > 0 && m.directionOrDefault() == MetricTemplate.DirectionName.INCREASE;
    }

    public Duration length() {
        return initialDelay.plus(interval.multipliedBy(count));
    }
}
