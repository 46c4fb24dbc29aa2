package io.canaryjudge.judge;

import java.util.List;
import java.util.Map;

/**
 * The verdict over all metrics: weighted score 0–100 (NaN when nothing could be counted), per-group
 * scores, the readable reason, and the metric results it was computed from.
 */
public record ScoreResult(double score, Verdict verdict, String reason, Map<String, Double> groupScores,
                          List<MetricResult> metrics) {

    public ScoreResult {
        if (verdict == null) {
            throw new IllegalArgumentException("verdict == null");
        }
        if (reason == null) {
            throw new IllegalArgumentException("reason == null");
        }
        groupScores = Map.copyOf(groupScores);
        metrics = List.copyOf(metrics);
    }
}
