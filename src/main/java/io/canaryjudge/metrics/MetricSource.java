package io.canaryjudge.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where measurements come from: the port the analyses and backtests read through. {@link PrometheusClient} is the
 * one implementation; another time-series database is one more implementation in this package.
 */
public interface MetricSource {

    /**
     * The series of {@code query} at start, start+step, … end (Prometheus' {@code query_range} semantics).
     *
     * @throws MetricSourceException when the source cannot answer
     */
    List<Series> queryRange(String query, Instant start, Instant end, Duration step);

    /**
     * {@code query}, a range-vector selector, evaluated at {@code at}: each series' raw samples.
     *
     * @throws MetricSourceException when the source cannot answer
     */
    List<Series> queryRaw(String query, Instant at);

    /**
     * The same source for backtests: their queries draw on their own share of the source's concurrency, so a
     * backtest of many windows never holds the permits a live analysis waits for.
     */
    MetricSource backtests();
}
