package io.canaryjudge.metrics;

import java.util.Map;

/** One series of a Prometheus range result: its labels and parallel arrays of times (epoch seconds) and values. */
public record Series(Map<String, String> labels, double[] times, double[] values) {
    public Series {
        labels = Map.copyOf(labels);
        if (times.length != values.length) {
            throw new IllegalArgumentException("times.length != values.length");
        }
    }
}
