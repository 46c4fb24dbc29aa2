package io.canaryjudge.analysis;

import io.canaryjudge.metrics.Series;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A cohort is one workload. When the raw series a cohort's selector returns carry different values of a workload
 * label (default {@code namespace}, {@code service}, {@code app}; {@code canary.analysis.workload-labels}), the event's
 * cohort labels selected several services — e.g. only {@code track=canary} — and summing them would judge a mix
 * (Kayenta's scope mix-up, kayenta#553). The read fails with the workloads named, so the metric is an ERROR the
 * analysis reports, never a silent sum. Aggregated queries ({@code sum(...)}) hide the labels and cannot be checked.
 */
final class Workloads {

    static final List<String> DEFAULT_LABELS = List.of("namespace", "service", "app");

    private static final class Holder {
        static final List<String> LABELS = labels();
    }

    private Workloads() {
    }

    static List<String> labels() {
        try {
            return ConfigProvider.getConfig().getOptionalValue("canary.analysis.workload-labels", String.class)
                    .map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList())
                    .orElse(DEFAULT_LABELS);
        } catch (IllegalStateException | IllegalArgumentException e) {
            return DEFAULT_LABELS; // no config (plain unit tests, tools)
        }
    }

    static void requireOne(List<Series> series, String cohort, String what) {
        requireOne(series, cohort, what, Holder.LABELS);
    }

    static void requireOne(List<Series> series, String cohort, String what, List<String> labels) {
        for (String label : labels) {
            TreeSet<String> values = new TreeSet<>();
            for (Series s : series) {
                Map<String, String> l = s.labels();
                String v = l == null ? null : l.get(label);
                if (v != null) {
                    values.add(v);
                }
            }
            if (values.size() > 1) {
                StringBuilder names = new StringBuilder();
                for (String v : values) {
                    names.append(names.length() == 0 ? "" : ", ").append(label).append("=\"").append(v).append('"');
                }
                throw new MetricReader.SeriesException("the " + what + " selector matches " + values.size()
                        + " workloads for the " + cohort + " cohort (" + names + "): give the event's " + cohort
                        + " labels the workload's " + String.join("/", labels) + " so one workload is compared; "
                        + "nothing was summed");
            }
        }
    }
}
