package io.canaryjudge.analysis;

import io.canaryjudge.metrics.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where a measurement's queries are answered: Prometheus for live analyses, or data read ahead for a
 * backtest. {@code cohort} is "canary" or "stable", so a source may answer the two sides from different times.
 */
public interface RangeSource {
    /** The series of {@code query} at start, start+step, … end, exactly as Prometheus' {@code query_range}. */
    List<Series> queryRange(String cohort, String query, Instant start, Instant end, Duration step);

    /** {@code query} (a range-vector selector) evaluated at {@code at}: each series' raw samples ({@code query}). */
    List<Series> queryRaw(String cohort, String query, Instant at);
}
