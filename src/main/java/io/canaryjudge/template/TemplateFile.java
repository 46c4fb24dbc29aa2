package io.canaryjudge.template;

import java.util.List;

/** The YAML shape of a template file, before validation. Unknown fields are rejected by the reader. */
record TemplateFile(
        String name,
        String description,
        String interval,
        Integer count,
        String step,
        Scoring scoring,
        List<MetricTemplate> metrics,
        RollbackPolicy rollback) {

    record Scoring(Double pass, Double marginal) {
    }
}
