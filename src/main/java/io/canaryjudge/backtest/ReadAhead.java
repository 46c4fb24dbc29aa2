package io.canaryjudge.backtest;

import io.canaryjudge.analysis.RangeSource;
import io.canaryjudge.metrics.MetricSource;
import io.canaryjudge.metrics.MetricSourceException;
import io.canaryjudge.metrics.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers a backtest's range queries from one read per query and cohort over the whole span, sliced per
 * measurement. Prometheus evaluates a range query at start + k·step independently of the range, so a slice on
 * the same grid is exactly what the measurement's own query would return. A request off the grid (a step that
 * does not divide the interval or offset) is sent to Prometheus as is, and so are raw reads (sequential mode's
 * counter and bucket selectors, evaluated at one instant). The stable side may be read {@code offset} earlier:
 * the same rendered query over a shifted range, no PromQL rewriting; its samples come back with their times
 * moved forward by the offset, as if they had happened beside the canary side's (counter differencing over an
 * interval depends on it).
 */
final class ReadAhead implements RangeSource {
    private final MetricSource prometheus;
    private final Duration step;
    private final Duration offset;
    private final Instant spanStart;
    private final Instant spanEnd;
    private final int maxPointsPerQuery;
    private final Map<String, Read> reads = new HashMap<>();
    private int queries;

    /**
     * @param spanStart first instant any measurement reads (canary side's time)
     * @param spanEnd   last instant any measurement reads, extensions included
     */
    ReadAhead(MetricSource prometheus, Duration step, Duration offset, Instant spanStart, Instant spanEnd,
              int maxPointsPerQuery) {
        this.prometheus = prometheus;
        this.step = step;
        this.offset = offset;
        this.spanStart = spanStart;
        this.spanEnd = spanEnd;
        this.maxPointsPerQuery = maxPointsPerQuery;
    }

    /** Prometheus range queries sent so far. */
    int queries() {
        return queries;
    }

    static long points(Instant start, Instant end, Duration step) {
        return Duration.between(start, end).toMillis() / step.toMillis() + 1;
    }

    @Override
    public List<Series> queryRange(String cohort, String query, Instant start, Instant end, Duration queryStep) {
        Duration shift = cohort.equals("stable") ? offset : Duration.ZERO;
        Instant from = start.minus(shift);
        Instant to = end.minus(shift);
        Instant base = spanStart.minus(shift);
        boolean onGrid = queryStep.equals(step) && !from.isBefore(base) && !to.isAfter(spanEnd.minus(shift))
                && Duration.between(base, from).toMillis() % step.toMillis() == 0;
        if (!onGrid) {
            return later(send(query, from, to, queryStep), shift);
        }
        Read read = reads.computeIfAbsent(cohort + "\n" + query, k -> read(query, base, spanEnd.minus(shift)));
        if (read.failure() != null) {
            throw read.failure();
        }
        return later(read.slice(from.toEpochMilli(), to.toEpochMilli()), shift);
    }

    @Override
    public List<Series> queryRaw(String cohort, String query, Instant at) {
        Duration shift = cohort.equals("stable") ? offset : Duration.ZERO;
        queries++;
        try {
            return later(prometheus.queryRaw(query, at.minus(shift)), shift);
        } catch (MetricSourceException e) {
            throw e.retryable() ? new Unavailable(e) : e;
        }
    }

    /** The series with their times moved {@code shift} later. */
    private static List<Series> later(List<Series> series, Duration shift) {
        if (shift.isZero()) {
            return series;
        }
        double seconds = shift.toMillis() / 1000.0;
        return series.stream().map(s -> new Series(s.labels(), Arrays.stream(s.times()).map(t -> t + seconds).toArray(),
                s.values())).toList();
    }

    private List<Series> send(String query, Instant from, Instant to, Duration queryStep) {
        queries++;
        try {
            return prometheus.queryRange(query, from, to, queryStep);
        } catch (MetricSourceException e) {
            throw e.retryable() ? new Unavailable(e) : e;
        }
    }

    /** The span in chunks of at most maxPointsPerQuery points on the grid, series joined by their labels. */
    private Read read(String query, Instant from, Instant to) {
        Map<Map<String, String>, List<Series>> parts = new LinkedHashMap<>();
        Duration chunk = step.multipliedBy(maxPointsPerQuery - 1L);
        try {
            for (Instant s = from; !s.isAfter(to); s = s.plus(chunk).plus(step)) {
                Instant e = s.plus(chunk).isAfter(to) ? to : s.plus(chunk);
                for (Series series : send(query, s, e, step)) {
                    parts.computeIfAbsent(series.labels(), k -> new ArrayList<>()).add(series);
                }
            }
        } catch (MetricSourceException e) {
            // rejected by Prometheus (bad query, too many samples): every measurement sees the error, as live
            return new Read(List.of(), e);
        }
        List<Series> joined = new ArrayList<>();
        parts.forEach((labels, list) -> {
            int n = list.stream().mapToInt(x -> x.times().length).sum();
            double[] times = new double[n];
            double[] values = new double[n];
            int at = 0;
            for (Series x : list) {
                System.arraycopy(x.times(), 0, times, at, x.times().length);
                System.arraycopy(x.values(), 0, values, at, x.values().length);
                at += x.times().length;
            }
            joined.add(new Series(labels, times, values));
        });
        return new Read(joined, null);
    }

    /** One query's series over the span, with times in milliseconds for slicing. */
    private record Read(List<Series> series, List<long[]> millis, MetricSourceException failure) {
        Read(List<Series> series, MetricSourceException failure) {
            this(series, series.stream().map(s -> Arrays.stream(s.times()).mapToLong(t -> Math.round(t * 1000))
                    .toArray()).toList(), failure);
        }

        /** The points in [from, to]; a series without any there is absent, as Prometheus would leave it out. */
        List<Series> slice(long from, long to) {
            List<Series> out = new ArrayList<>();
            for (int i = 0; i < series.size(); i++) {
                long[] t = millis.get(i);
                int a = lowerBound(t, from);
                int b = lowerBound(t, to + 1);
                if (b > a) {
                    Series s = series.get(i);
                    out.add(new Series(s.labels(), Arrays.copyOfRange(s.times(), a, b),
                            Arrays.copyOfRange(s.values(), a, b)));
                }
            }
            return out;
        }

        private static int lowerBound(long[] sorted, long key) {
            int lo = 0;
            int hi = sorted.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sorted[mid] < key) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** Prometheus could not be reached (after its retries): the backtest cannot be run now. */
    static final class Unavailable extends RuntimeException {
        Unavailable(MetricSourceException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
