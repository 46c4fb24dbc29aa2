package io.canaryjudge.judge.sequential;

/**
 * One metric's standing after a look: status, the numbers behind it, and one English sentence with
 * ln M, the anytime p-value and the estimate (with its confidence sequence for counts).
 */
public record MetricDecision(String name, boolean critical, MetricStatus status, double logM, double threshold,
                             double pValue, int looks, String explanation) {

    public MetricDecision {
        if (name == null || status == null || explanation == null) {
            throw new IllegalArgumentException("name, status and explanation are required");
        }
    }
}
