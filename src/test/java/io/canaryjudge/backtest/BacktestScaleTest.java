package io.canaryjudge.backtest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.SyntheticWorkload;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The largest A/A a request may ask for — 500 windows, 33 h 20 min of two same-behaving cohorts on a real
 * Prometheus — read with Prometheus' own 11,000-point chunks: one range query per query and cohort.
 */
@QuarkusTest
@TestProfile(BacktestScaleTest.LongHistory.class)
class BacktestScaleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int WINDOWS = 500;
    static final Duration WINDOW = Duration.ofMinutes(4);

    @ConfigProperty(name = "canary.test.scale-from")
    Instant from;

    /** Its own Prometheus with 34 hours of data, Prometheus' chunk size, no shared infrastructure. */
    public static class LongHistory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.backtest.max-points-per-query", "11000");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Infrastructure.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /**
     * Kafka (the service needs a broker) and a Prometheus backfilled with 34 hours of one service whose two
     * tracks behave the same: two disjoint selectors of "stable" data.
     */
    public static class Infrastructure implements QuarkusTestResourceLifecycleManager {
        private EmbeddedKafka kafka;
        private PrometheusServer prometheus;

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory("canary-judge-scale");
                Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
                Instant from = end.minus(WINDOW.multipliedBy(WINDOWS));
                // low traffic keeps the backfill small: 2 requests per second per cohort
                SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(2, 0.01, 0.040, 0.35, 200_000_000L,
                        4_000_000L, 0.008);
                SyntheticWorkload workload = new SyntheticWorkload(from.minus(Duration.ofMinutes(5)), end,
                        List.of(new SyntheticWorkload.Service("shop", "cart", stable, stable)));
                prometheus = PrometheusServer.start(dir.resolve("prometheus"), workload.openMetrics());
                kafka = EmbeddedKafka.start(dir.resolve("kafka"));
                return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(),
                        "canary.prometheus.url", prometheus.url(), "canary.test.scale-from", from.toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (kafka != null) {
                kafka.close();
            }
            if (prometheus != null) {
                prometheus.close();
            }
        }
    }

    @Test
    void fiveHundredWindowsInOneRangeQueryPerQueryAndCohort() throws Exception {
        Instant to = from.plus(WINDOW.multipliedBy(WINDOWS));
        long started = System.nanoTime();
        JsonNode r = JSON.readTree(given().contentType("application/json")
                .body("""
                        {"kind":"aa","template":"aa-sequential","namespace":"shop","service":"cart",
                         "cohorts":{"a":{"labels":{"service":"cart","track":"stable"}},
                                    "b":{"labels":{"service":"cart","track":"canary"}}},"from":"%s","to":"%s"}
                        """.formatted(from, to)).post("/api/v1/backtests")
                .then().statusCode(200).extract().asString());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(WINDOWS, r.path("windows").asInt());
        assertEquals(WINDOWS, r.path("windowResults").size());
        int sum = 0;
        for (String v : List.of("PROMOTE", "ABORT", "INCONCLUSIVE")) {
            sum += r.path("verdicts").path(v).asInt();
        }
        assertEquals(WINDOWS, sum);
        // 2000 minutes at step 30s = 4001 points: one chunk, so 4 queries x 2 cohorts for 500 x 2 looks
        assertEquals(8, r.path("prometheusQueries").asInt());
        ClopperPearson cp = ClopperPearson.of(r.path("verdicts").path("ABORT").asInt(), WINDOWS, 0.95);
        assertEquals(cp.upper(), r.path("falseAbortRate").path("upper").asDouble(), 1e-12);
        assertTrue(millis < 120_000, "took " + millis + " ms");
        System.out.printf("backtest-scale windows=%d aborts=%d promote=%d inconclusive=%d queries=%d millis=%d%n",
                WINDOWS, r.path("verdicts").path("ABORT").asInt(), r.path("verdicts").path("PROMOTE").asInt(),
                r.path("verdicts").path("INCONCLUSIVE").asInt(), r.path("prometheusQueries").asInt(), millis);
    }
}
