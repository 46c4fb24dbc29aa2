package io.canaryjudge.dora;

import java.util.Arrays;

/** Count, median and mean of a set of durations, in seconds; median and mean are null when count is 0. */
public record DurationStats(int count, Double medianSeconds, Double meanSeconds) {

    /** Of these durations in seconds (sorted here, in place). */
    static DurationStats of(double[] s) {
        if (s.length == 0) {
            return new DurationStats(0, null, null);
        }
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return new DurationStats(n, median, sum / n);
    }
}
