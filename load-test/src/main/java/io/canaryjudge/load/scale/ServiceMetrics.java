package io.canaryjudge.load.scale;

import java.util.ArrayList;
import java.util.List;

/** One reading of the service's /q/metrics (Prometheus text format), with the figures the scale report needs. */
record ServiceMetrics(long atNanos, double queries, double queryErrors, double measurements, double latenessSum,
                      double latenessMax, List<double[]> latenessBuckets, double heapUsed, double inFlight,
                      double pending, double queued, double accepted, double gcPauseSeconds, double liveData) {

    static ServiceMetrics parse(String text, long atNanos) {
        double queries = 0, errors = 0, count = 0, sum = 0, max = 0, heap = 0, inFlight = 0, pending = 0, queued = 0, accepted = 0;
        double gc = 0;
        double live = 0;
        List<double[]> buckets = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            double v;
            try {
                v = Double.parseDouble(line.substring(sp + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            String key = line.substring(0, sp);
            if (key.startsWith("canary_prometheus_query_seconds_count")) {
                if (key.contains("outcome=\"success\"")) {
                    queries += v;
                } else {
                    errors += v;
                }
            } else if (key.startsWith("canary_analysis_measurement_lateness_seconds_count")) {
                count += v;
            } else if (key.startsWith("canary_analysis_measurement_lateness_seconds_sum")) {
                sum += v;
            } else if (key.startsWith("canary_analysis_measurement_lateness_seconds_max")) {
                max = Math.max(max, v);
            } else if (key.startsWith("canary_analysis_measurement_lateness_seconds_bucket")) {
                String le = key.substring(key.indexOf("le=\"") + 4, key.indexOf('"', key.indexOf("le=\"") + 4));
                buckets.add(new double[] {le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v});
            } else if (key.startsWith("jvm_memory_used_bytes") && key.contains("area=\"heap\"")) {
                heap += v;
            } else if (key.startsWith("canary_analysis_in_flight")) {
                inFlight = v;
            } else if (key.startsWith("canary_analysis_pending_measurements")) {
                pending = v;
            } else if (key.startsWith("canary_analysis_queued_measurements")) {
                queued = v;
            } else if (key.startsWith("canary_intake_events_total") && key.contains("result=\"accepted\"")) {
                accepted += v;
            } else if (key.startsWith("jvm_gc_live_data_size_bytes")) {
                live = v;
            } else if (key.startsWith("jvm_gc_pause_seconds_sum")) {
                gc += v;
            }
        }
        return new ServiceMetrics(atNanos, queries, errors, count, sum, max, buckets, heap, inFlight, pending, queued, accepted, gc, live);
    }

    /** The q-quantile of the lateness observations between {@code from} and this reading, from the histogram buckets. */
    double latenessQuantile(ServiceMetrics from, double q) {
        double total = measurements - (from == null ? 0 : from.measurements);
        if (total <= 0) {
            return Double.NaN;
        }
        List<double[]> sorted = new ArrayList<>(latenessBuckets);
        sorted.sort((a, b) -> Double.compare(a[0], b[0]));
        for (double[] b : sorted) {
            double before = 0;
            if (from != null) {
                for (double[] f : from.latenessBuckets) {
                    if (f[0] == b[0]) {
                        before = f[1];
                    }
                }
            }
            if (b[1] - before >= q * total) {
                return b[0];
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
