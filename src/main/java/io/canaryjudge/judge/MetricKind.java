package io.canaryjudge.judge;

/** How a metric's data are judged. */
public enum MetricKind {
    /** Values per cohort (latency, CPU): Mann-Whitney U and the Hodges-Lehmann shift. */
    CONTINUOUS,
    /** Events with their exposure per cohort (errors of requests): exact conditional test of the rates. */
    COUNTS,
    /** A quantile of the canary against absolute bounds and bounds relative to the stable quantile. */
    THRESHOLD
}
