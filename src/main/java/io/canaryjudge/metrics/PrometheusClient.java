package io.canaryjudge.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Facade of the Prometheus HTTP API ({@code query_range}, readiness). Explicit connect and read timeouts,
 * retries with backoff on 5xx, timeouts and connection failures ({@link PrometheusHttp}), and one semaphore bounding
 * the queries in flight for the whole service, of which backtests have their own share. Answers are read by
 * {@link PrometheusAnswers}.
 */
@ApplicationScoped
public class PrometheusClient implements MetricSource {
    private final PrometheusHttp http;
    private final PrometheusAnswers answers;
    /** Permits of live analyses' queries. */
    private final Semaphore permits;
    /** Permits of backtests' queries: a separate share of the same budget (the same semaphore when it is one). */
    private final Semaphore backtestPermits;
    private final MetricSource backtests;
    private final Timer succeeded;
    private final Timer failed;

    PrometheusClient(PrometheusConfig config, ObjectMapper json) {
        this(config, json, new SimpleMeterRegistry());
    }

    @Inject
    PrometheusClient(PrometheusConfig config, ObjectMapper json, MeterRegistry registry) {
        // one observation per query_range call, retries and waiting for a permit included: what an analysis waits
        this.succeeded = queryTimer(registry, "success");
        this.failed = queryTimer(registry, "error");
        this.answers = new PrometheusAnswers(json);
        this.http = new PrometheusHttp(config, answers);
        int max = Math.max(1, config.maxConcurrency());
        int backtest = Math.max(1, Math.min(config.backtestConcurrency().orElse(max / 4), max - 1));
        this.permits = new Semaphore(max > 1 ? max - backtest : 1, true);
        this.backtestPermits = max > 1 ? new Semaphore(backtest, true) : permits;
        this.backtests = new MetricSource() {
            @Override
            public List<Series> queryRange(String query, Instant start, Instant end, Duration step) {
                return matrix("/api/v1/query_range", rangeForm(query, start, end, step), backtestPermits);
            }

            @Override
            public List<Series> queryRaw(String query, Instant at) {
                return matrix("/api/v1/query", rawForm(query, at), backtestPermits);
            }

            @Override
            public MetricSource backtests() {
                return this;
            }
        };
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The URL for display: userinfo, if any, redacted. */
    public String baseUrl() {
        return io.canaryjudge.Redaction.urls(http.baseUrl());
    }

    /** Evaluates {@code query} at start, start+step, … end (Prometheus {@code query_range}). */
    @Override
    public List<Series> queryRange(String query, Instant start, Instant end, Duration step) {
        return matrix("/api/v1/query_range", rangeForm(query, start, end, step), permits);
    }

    private static String rangeForm(String query, Instant start, Instant end, Duration step) {
        return "query=" + enc(query) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + (step.toMillis() / 1000.0);
    }

    private static String rawForm(String query, Instant at) {
        return "query=" + enc(query) + "&time=" + seconds(at);
    }

    /** The same Prometheus through the backtests' share of the query permits. */
    @Override
    public MetricSource backtests() {
        return backtests;
    }

    /**
     * Evaluates {@code query} at one instant (Prometheus {@code query}); a range-vector selector such as
     * {@code x{...}[5m]} returns the raw samples of each series, which is what counter differencing needs.
     * Only a matrix result is accepted.
     */
    @Override
    public List<Series> queryRaw(String query, Instant at) {
        return matrix("/api/v1/query", rawForm(query, at), permits);
    }

    /** POSTs a form query to {@code path} and parses the matrix answer, timing it as success or failure. */
    private List<Series> matrix(String path, String form, Semaphore lane) {
        byte[] body = form.getBytes(StandardCharsets.US_ASCII); // URL-encoded: ASCII only
        Timer.Sample sample = Timer.start();
        Timer outcome = failed;
        try {
            List<Series> series = answers.parseMatrix(http.postForm(path, body, lane));
            outcome = succeeded;
            return series;
        } finally {
            sample.stop(outcome);
        }
    }

    private static Timer queryTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("canary.prometheus.query").description("Prometheus query_range calls, retries included")
                .tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }

    /** True when Prometheus answers its readiness endpoint. */
    public boolean ready() {
        return http.ready();
    }

    private static String seconds(Instant t) {
        if (t.getNano() == 0) {
            return Long.toString(t.getEpochSecond());
        }
        int ms = t.getNano() / 1_000_000; // two per query: no format parser
        return t.getEpochSecond() + (ms < 10 ? ".00" : ms < 100 ? ".0" : ".") + ms;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
