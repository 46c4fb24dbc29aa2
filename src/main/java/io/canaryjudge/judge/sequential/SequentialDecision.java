package io.canaryjudge.judge.sequential;

import java.util.List;

/** The action after a look, the sentence that explains it, and every metric's standing. */
public record SequentialDecision(SequentialAction action, String reason, List<MetricDecision> metrics) {

    public SequentialDecision {
        if (action == null || reason == null || metrics == null) {
            throw new IllegalArgumentException("action, reason and metrics are required");
        }
        metrics = List.copyOf(metrics);
    }
}
