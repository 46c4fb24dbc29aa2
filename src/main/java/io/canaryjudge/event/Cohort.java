package io.canaryjudge.event;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** One side of the comparison: the image digest it runs and the Prometheus labels that select it. */
public record Cohort(String digest, Map<String, String> labels) {
    public Cohort {
        Objects.requireNonNull(digest, "digest == null");
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labels, "labels == null")));
    }
}
