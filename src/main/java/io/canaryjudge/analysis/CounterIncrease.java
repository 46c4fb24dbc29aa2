package io.canaryjudge.analysis;

import io.canaryjudge.metrics.Series;

/**
 * The exact increase of a raw counter series over an interval (start, end], from its samples — what the
 * sequential tests need instead of {@code increase()}, which extrapolates to the window edges (docs/statistics.md
 * §3). The baseline is the last sample at or before {@code start}; every later sample up to {@code end} adds
 * its difference to the previous one, and a drop is a counter reset (the process restarted from 0), which
 * adds the new value. A series without a sample in the look-back before {@code start} is either new (a pod started,
 * or a label value such as {@code status="500"} or a bucket appeared with its first event), whose first value counts
 * from 0, or an old series whose scrapes stopped for longer than the look-back, whose first value is its whole
 * lifetime: counted from 0 it would dump months of requests (or errors) into one interval — a false ABORT, or a
 * regression drowned. We take the first value as new only when it is small: at most {@link #NEW_SERIES_SLACK} or
 * twice what the series then adds during the rest of the interval; otherwise the first sample is the baseline. A new
 * series is then at worst under-counted by its first scrape, an old one over-counted by at most the slack.
 * Non-finite samples are skipped (Prometheus stale markers are never returned by the API).
 */
final class CounterIncrease {

    private CounterIncrease() {
    }

    /** A first value up to this counts as a new series' (a new status="500" series starts at a few errors). */
    static final double NEW_SERIES_SLACK = 10;

    /** The increase of one series in (start, end], epoch seconds. */
    static double of(Series s, double start, double end) {
        double[] t = s.times();
        double[] v = s.values();
        double previous = 0;
        boolean baseline = false;
        double first = Double.NaN;
        double total = 0;
        for (int i = 0; i < t.length; i++) {
            if (!Double.isFinite(v[i]) || t[i] > end) {
                continue;
            }
            if (t[i] <= start) {
                previous = v[i];
                baseline = true;
                continue;
            }
            if (!baseline && Double.isNaN(first)) {
                first = v[i];
                previous = v[i];
                continue;
            }
            total += v[i] >= previous ? v[i] - previous : v[i];
            previous = v[i];
        }
        if (!Double.isNaN(first) && first <= Math.max(NEW_SERIES_SLACK, 2 * total)) {
            total += first; // a new series: its first value was counted from 0
        }
        return total;
    }
}
