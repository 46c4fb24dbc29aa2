package io.canaryjudge.dora;

import java.time.Duration;
import java.util.List;

/** Count, median and mean of a set of durations, in seconds; median and mean are null when count is 0. */
public record DurationStats(int count, Double medianSeconds, Double meanSeconds) {

    static DurationStats of(List<Duration> durations) {
        if (durations.isEmpty()) {
            return new DurationStats(0, null, null);
        }
        double[] s = durations.stream().mapToDouble(d -> d.toMillis() / 1000.0).sorted().toArray();
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return new DurationStats(n, median, sum / n);
    }
}
