package io.canaryjudge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.FaultyProxy;
import io.canaryjudge.testing.PrometheusServer;
import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounds on what Prometheus can cost the service, against a real Prometheus behind a real proxy: an answer larger
 * than {@code max-response-size} fails without being read whole, and backtests draw on their own share of the query
 * permits, so live analyses never wait behind them.
 */
class PrometheusLimitsTest {
    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z").minus(Duration.ofDays(2));
    private static PrometheusServer prometheus;
    private static FaultyProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder om = new StringBuilder("# TYPE probe gauge\n");
        for (int i = 0; i <= 40; i++) {
            for (String track : List.of("canary", "stable")) {
                om.append("probe{track=\"").append(track).append("\"} ").append(i * 1.5).append(' ')
                        .append(T0.getEpochSecond() + 15L * i).append('\n');
            }
        }
        om.append("# EOF\n");
        prometheus = PrometheusServer.start(Files.createTempDirectory("prom-limits"), om.toString());
        proxy = FaultyProxy.start(prometheus.url());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static PrometheusClient client(int maxConcurrency, int backtestConcurrency, long maxResponseBytes) {
        return new PrometheusClient(new Limits(proxy.url(), maxConcurrency, backtestConcurrency,
                new MemorySize(BigInteger.valueOf(maxResponseBytes))), new ObjectMapper());
    }

    @Test
    void anAnswerOverTheLimitFailsWithoutRetryAndSaysWhy() {
        String query = "probe";
        Instant end = T0.plus(Duration.ofMinutes(10));
        // both series, 41 points each: a few kilobytes
        assertEquals(2, client(4, 1, 1 << 20).queryRange(query, T0, end, Duration.ofSeconds(15)).size());
        PrometheusException e = assertThrows(PrometheusException.class,
                () -> client(4, 1, 512).queryRange(query, T0, end, Duration.ofSeconds(15)));
        assertTrue(e.getMessage().startsWith("Prometheus' answer is too large ("), e.getMessage());
        assertTrue(e.getMessage().contains("canary.prometheus.max-response-size=512 bytes"), e.getMessage());
        assertFalse(e.retryable(), "the same query would read the same size again");
        // the same bound holds for instant queries and for the backtests' view
        assertThrows(PrometheusException.class, () -> client(4, 1, 512).backtests().queryRaw("probe[10m]", end));
    }

    @Test
    void liveQueriesDoNotWaitBehindBacktests() throws Exception {
        // backtests may hold 2 of the 3 permits; each of their queries takes 3 s at the proxy
        FaultyProxy.fault(proxy.url(), "slow_backtest", 0, "slow", 3_000);
        PrometheusClient client = client(3, 2, 1 << 20);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Instant end = T0.plus(Duration.ofMinutes(10));
            List<CompletableFuture<List<Series>>> backtests = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String q = "probe or slow_backtest_" + i;
                backtests.add(CompletableFuture.supplyAsync(
                        () -> client.backtests().queryRange(q, T0, end, Duration.ofSeconds(15)), pool));
            }
            Thread.sleep(300); // the backtests hold their permits and wait at the proxy
            List<Series> live = client.queryRange("probe", T0, end, Duration.ofSeconds(15));
            assertEquals(2, live.size());
            // the live answer came while every backtest query was still at the proxy (each needs 3 s, two of them 6 s)
            assertTrue(backtests.stream().noneMatch(CompletableFuture::isDone),
                    "a live query waited for a backtest's permit");
            for (CompletableFuture<List<Series>> b : backtests) {
                assertEquals(2, b.get(30, TimeUnit.SECONDS).size());
            }
        } finally {
            FaultyProxy.clear(proxy.url(), "slow_backtest");
            pool.shutdownNow();
        }
    }

    @Test
    void withOnePermitLiveAndBacktestsShareIt() {
        PrometheusClient client = client(1, 4, 1 << 20);
        Instant end = T0.plus(Duration.ofMinutes(10));
        assertEquals(2, client.queryRange("probe", T0, end, Duration.ofSeconds(15)).size());
        assertEquals(2, client.backtests().queryRange("probe", T0, end, Duration.ofSeconds(15)).size());
    }

    private record Limits(String url, int maxConcurrency, int backtests, MemorySize maxResponseSize)
            implements PrometheusConfig {
        @Override public java.util.OptionalInt backtestConcurrency() { return java.util.OptionalInt.of(backtests); }
        @Override public Duration connectTimeout() { return Duration.ofSeconds(2); }
        @Override public Duration readTimeout() { return Duration.ofSeconds(20); }
        @Override public int retries() { return 0; }
        @Override public Duration backoff() { return Duration.ofMillis(10); }
        @Override public Optional<String> bearerToken() { return Optional.empty(); }
        @Override public Optional<String> username() { return Optional.empty(); }
        @Override public Optional<String> password() { return Optional.empty(); }
        @Override public Optional<Path> bearerTokenFile() { return Optional.empty(); }
        @Override public Optional<Path> passwordFile() { return Optional.empty(); }
        @Override public Map<String, String> headers() { return Map.of(); }
        @Override public Tls tls() {
            return new Tls() {
                @Override public Optional<Path> caFile() { return Optional.empty(); }
                @Override public boolean insecureSkipVerify() { return false; }
            };
        }
    }
}
