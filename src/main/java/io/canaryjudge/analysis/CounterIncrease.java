package io.canaryjudge.analysis;

import io.canaryjudge.metrics.Series;

/**
 * The exact increase of a raw counter series over an interval (start, end], from its samples — what the
 * sequential tests need instead of {@code increase()}, which extrapolates to the window edges (docs/statistics.md
 * §2.1). The baseline is the last sample at or before {@code start}; every later sample up to {@code end} adds
 * its difference to the previous one, and a drop is a counter reset (the process restarted from 0), which
 * adds the new value. A series without a sample in the look-back before {@code start} is new (a pod started,
 * or a label value such as {@code status="500"} or a bucket appeared with its first event): it counts from 0.
 * Non-finite samples are skipped (Prometheus stale markers are never returned by the API).
 */
final class CounterIncrease {

    private CounterIncrease() {
    }

    /** The increase of one series in (start, end], epoch seconds. */
    static double of(Series s, double start, double end) {
        double[] t = s.times();
        double[] v = s.values();
        double previous = 0;
        double total = 0;
        for (int i = 0; i < t.length; i++) {
            if (!Double.isFinite(v[i]) || t[i] > end) {
                continue;
            }
            if (t[i] <= start) {
                previous = v[i];
                continue;
            }
            total += v[i] >= previous ? v[i] - previous : v[i];
            previous = v[i];
        }
        return total;
    }
}
