package io.canaryjudge.template;

import java.util.List;

/** The YAML shape of a template file, before validation (schema: schema/analysis-template.schema.json). */
record TemplateFile(
        String name,
        String description,
        String interval,
        String initialDelay,
        Integer count,
        String duration,
        String step,
        Scoring scoring,
        InsufficientData insufficientData,
        List<MetricTemplate> metrics,
        RollbackPolicy rollback,
        AnalysisTemplate.Mode mode,
        Sequential sequential) {

    record Scoring(Double pass, Double marginal) {
    }

    /** The {@code sequential:} block; absent fields take {@code SequentialConfig.defaults()}. */
    record Sequential(Double alpha, Double sigma, Double tau, List<Double> quantiles, Double rTol, Boolean splitAlpha,
                      Boolean earlyPromote, Integer minPromoteIntervals, Boolean fastMode, Double vOpt,
                      Integer maxCount, Double tailQuantile, Double tailTolerance) {
    }
}
