package io.canaryjudge.template;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One metric of an analysis template, as written in YAML. Optional fields are null when absent;
 * {@link TemplateRepository} checks them at load.
 *
 * @param kind      continuous (samples compared by rank test), counts (events out of exposure), threshold
 * @param query     PromQL for continuous and threshold metrics
 * @param events    PromQL for the events of a counts metric (e.g. errors)
 * @param exposure  PromQL for the exposure of a counts metric (e.g. requests)
 * @param direction increase (bad when it grows, the default), decrease, either
 */
public record MetricTemplate(
        String name,
        String description,
        MetricKindName kind,
        String query,
        String events,
        String exposure,
        DirectionName direction,
        Tolerance tolerance,
        Bounds thresholds,
        Boolean critical,
        Boolean mustHaveData,
        Integer minSamples,
        String group,
        Double weight) {

    /** Metric kinds of the template language. */
    public enum MetricKindName {
        @JsonProperty("continuous") CONTINUOUS,
        @JsonProperty("counts") COUNTS,
        @JsonProperty("threshold") THRESHOLD
    }

    /** Which way is bad. */
    public enum DirectionName {
        @JsonProperty("increase") INCREASE,
        @JsonProperty("decrease") DECREASE,
        @JsonProperty("either") EITHER
    }

    /** Effect-size tolerance: a difference smaller than this is never a failure. */
    public record Tolerance(Double relative, Double absolute) {
    }

    /**
     * Threshold bounds on a quantile of the canary's values (default the median): absolute bounds, and bounds
     * relative to the stable cohort's same quantile ({@code upperRelative: 0.25} = at most 25 % above stable).
     */
    public record Bounds(Double quantile, Double upper, Double lower, Double upperRelative, Double lowerRelative) {
    }

    public boolean isCritical() {
        return Boolean.TRUE.equals(critical);
    }

    public boolean isMustHaveData() {
        return mustHaveData == null || mustHaveData;
    }

    public DirectionName directionOrDefault() {
        return direction == null ? DirectionName.INCREASE : direction;
    }
}
