package io.canaryjudge.analysis;

import java.util.List;

/**
 * What Prometheus said about one metric in one window, for both cohorts, before any judging.
 * {@code error} is set when a query failed; the values are then empty.
 */
record Observation(String metric, CohortData canary, CohortData stable, String error) {

    static Observation failed(String metric, String error) {
        return new Observation(metric, null, null, error);
    }

    /**
     * @param values   samples of a continuous or threshold metric (time order, NaN kept for the judge to count)
     * @param events   total events of a counts metric (null for other kinds)
     * @param exposure total exposure of a counts metric, null when Prometheus had no exposure series
     * @param buckets  sequential mode, a continuous metric with {@code buckets:}: the interval's cumulative
     *                 counts per {@code le}, differenced from the raw counters (null otherwise)
     */
    record CohortData(List<String> queries, double[] values, double[] times, Double events, Double exposure,
                      Buckets buckets) {
        CohortData(List<String> queries, double[] values, double[] times, Double events, Double exposure) {
            this(queries, values, times, events, exposure, null);
        }
    }
}
