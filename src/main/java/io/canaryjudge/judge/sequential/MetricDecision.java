package io.canaryjudge.judge.sequential;

/**
 * One metric's standing after a look: status, the numbers behind it, and the sentence that says first, in the
 * metric's units, what changed and how sure we are, then the statistics.
 *
 * @param needsPower true for a critical metric with margins: PROMOTE waits until it is RULED_OUT or WITHIN_TOLERANCE
 */
public record MetricDecision(String name, boolean critical, MetricStatus status, double logM, double threshold,
                             double pValue, int looks, String explanation, boolean needsPower) {

    public MetricDecision {
        if (name == null || status == null || explanation == null) {
            throw new IllegalArgumentException("name, status and explanation are required");
        }
    }

    /** False while a critical metric with margins cannot yet rule out its detectable regression. */
    public boolean powered() {
        return !needsPower || status == MetricStatus.RULED_OUT || status == MetricStatus.WITHIN_TOLERANCE;
    }
}
