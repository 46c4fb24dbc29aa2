package io.canaryjudge.template;

import io.canaryjudge.template.MetricTemplate.MetricKindName;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every metric must read, in either mode: a unique name, the queries of its kind, raw counters and histogram
 * buckets as plain series selectors (the engine differences their samples itself), thresholds only on threshold
 * metrics.
 */
final class MetricInputRules {
    /** A metric name and one brace-delimited set of label matchers, nothing else. */
    static final Pattern SELECTOR = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*\\s*\\{[^\\[\\]()]*}");

    private MetricInputRules() {
    }

    static void check(SourceLines at, List<MetricTemplate> metrics) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            String pointer = "/metrics/" + i;
            if (!names.add(m.name())) {
                throw at.error(pointer + "/name", "duplicate metric '" + m.name() + "'");
            }
            queries(at, pointer, m);
            if (m.buckets() != null) {
                buckets(at, pointer, m);
            }
            if (m.kind() != MetricKindName.THRESHOLD && m.thresholds() != null) {
                throw at.error(pointer + "/thresholds", "thresholds belong to threshold metrics");
            }
        }
    }

    private static void queries(SourceLines at, String pointer, MetricTemplate m) {
        if (m.kind() == MetricKindName.COUNTS && m.rawCounters()) {
            for (String field : List.of("eventsCounter", "exposureCounter")) {
                String selector = field.equals("eventsCounter") ? m.eventsCounter() : m.exposureCounter();
                at.query(pointer + "/" + field, selector);
                if (!SELECTOR.matcher(selector.strip()).matches()) {
                    throw at.error(pointer + "/" + field, "must be a plain series selector of the raw "
                            + "counter, e.g. http_server_requests_seconds_count{ {{cohort}} }: the engine differences "
                            + "its samples exactly over each interval, so no increase(), rate(), sum() or [range]");
                }
            }
            if (m.events() != null || m.exposure() != null) {
                throw at.error(pointer + "/eventsCounter", "give events and exposure (queries) or "
                        + "eventsCounter and exposureCounter (raw counters), not both");
            }
        } else if (m.kind() == MetricKindName.COUNTS) {
            at.query(pointer + "/events", m.events());
            at.query(pointer + "/exposure", m.exposure());
        } else if (m.buckets() == null || m.query() != null) {
            at.query(pointer + "/query", m.query());
        }
    }

    private static void buckets(SourceLines at, String pointer, MetricTemplate m) {
        at.query(pointer + "/buckets", m.buckets());
        if (m.kind() != MetricKindName.CONTINUOUS) {
            throw at.error(pointer + "/buckets", "histogram buckets belong to continuous metrics");
        }
        if (!SELECTOR.matcher(m.buckets().strip()).matches()) {
            throw at.error(pointer + "/buckets", "must be a plain series selector of the cumulative "
                    + "bucket counters, e.g. http_server_requests_seconds_bucket{ {{cohort}} }: the engine reads "
                    + "their raw samples and differences them exactly over each interval, so no increase(), "
                    + "rate(), sum() or [range]");
        }
    }
}
