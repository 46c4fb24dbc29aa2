package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.testing.SyntheticWorkload;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The inputs of {@code mode: sequential} end to end on the real Prometheus with the backfilled demo workload
 * (checkout: canary latency median 120 ms vs 40 ms; cart: the same distribution in both cohorts).
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class SequentialInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double THRESHOLD = Math.log(1 / 0.05);

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    private JsonNode run(String service, String template) {
        String id = template + "-" + System.nanoTime();
        String location = given().contentType("application/json")
                .body(DemoScenario.event(id, service, startedAt, template, null))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            JsonNode a = JSON.readTree(given().get(location).then().statusCode(200).extract().asString());
            done.set(a);
            return !a.path("phase").asText().matches("PENDING|RUNNING");
        });
        return done.get();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    @Test
    void shiftedLatencyHistogramAbortsEarlyOnExactBucketCounts() {
        JsonNode a = run(DemoScenario.BAD_SERVICE, "seq-histogram");
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        JsonNode ms = a.path("measurements");
        assertTrue(ms.size() <= 2, "aborted at an early measurement of 6: " + ms.size());
        JsonNode last = ms.get(ms.size() - 1);
        JsonNode rank = last.path("metrics").get(0).path("sequential").get(0);
        assertEquals("ranks", rank.path("type").asText());
        assertTrue(rank.path("logM").asDouble() >= THRESHOLD, rank.toPrettyString());
        assertTrue(rank.path("auc").asDouble() > 0.8, "the canary is slower in most pairs: " + rank.path("auc"));
        assertEquals("HIGH", last.path("metrics").get(0).path("classification").asText());
        assertTrue(a.path("reason").asText().startsWith("ABORT"), a.path("reason").asText());

        // the per-bucket counts the engine read for the first interval are the backfilled ones, exactly
        SyntheticWorkload w = DemoScenario.workload(startedAt);
        JsonNode buckets = ms.get(0).path("metrics").get(0).path("buckets");
        double[] bounds = SyntheticWorkload.bucketBounds();
        assertEquals(bounds.length + 1, buckets.path("le").size(), buckets.toPrettyString());
        for (int i = 0; i < bounds.length; i++) {
            assertEquals(bounds[i], buckets.path("le").get(i).asDouble());
        }
        assertEquals("+Inf", buckets.path("le").get(bounds.length).asText());
        Instant end = startedAt.plus(Duration.ofMinutes(2));
        long[] canary = w.bucketIncrease(DemoScenario.NAMESPACE, DemoScenario.BAD_SERVICE, "canary", startedAt, end);
        long[] stable = w.bucketIncrease(DemoScenario.NAMESPACE, DemoScenario.BAD_SERVICE, "stable", startedAt, end);
        assertArrayEquals(canary, longs(buckets.path("canary")));
        assertArrayEquals(stable, longs(buckets.path("stable")));
        assertTrue(java.util.Arrays.stream(stable).sum() > 5000, "about 60 req/s for 2 minutes");
        // the raw counters over the 2-minute interval plus the 5-minute look-back for each series' baseline
        assertTrue(last.path("metrics").get(0).path("canary").path("queries").get(1).asText()
                .matches("http_server_requests_seconds_bucket\\{.*track=\"canary\".*}\\[420s]"),
                last.path("metrics").get(0).path("canary").path("queries").toString());
    }

    @Test
    void identicalLatencyHistogramIsPromotedAtTheEnd() {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-histogram");
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        JsonNode ms = a.path("measurements");
        assertEquals(5, ms.size(), "early: within the +5 % tolerance after minPromoteIntervals 5");
        assertTrue(a.path("reason").asText().startsWith("PROMOTE early: every critical metric is shown within its "
                + "tolerance. latency "), a.path("reason").asText());
        JsonNode tests = ms.get(4).path("metrics").get(0).path("sequential");
        assertEquals(6, tests.size(), "abort, rule-out and within rank tests, p50 and p99 on buckets, the tail test");
        assertEquals("tail", tests.get(5).path("type").asText());
        assertEquals(4, tests.get(5).path("looks").asInt(), "the first interval only sets the tail's threshold");
        assertEquals("ranks-within", tests.get(2).path("type").asText());
        assertEquals("quantile-buckets", tests.get(4).path("type").asText());
        assertTrue(tests.get(2).path("logM").asDouble() >= THRESHOLD, tests.get(2).toPrettyString());
        for (int i = 0; i < 5; i++) {
            JsonNode t = tests.get(i);
            if (i == 0 || i >= 3) {
                assertTrue(t.path("logM").asDouble() < THRESHOLD, t.toPrettyString());
                assertFalse(t.path("crossed").asBoolean());
            }
            assertEquals(5, t.path("looks").asInt());
        }
        assertFalse(tests.get(5).path("crossed").asBoolean());
        assertTrue(tests.get(4).path("explanation").asText().contains("histogram buckets"),
                tests.get(4).path("explanation").asText());
        long stableTotal = 0;
        for (JsonNode m : ms) {
            stableTotal += java.util.Arrays.stream(longs(m.path("metrics").get(0).path("buckets").path("stable"))).sum();
        }
        assertEquals(stableTotal, tests.get(4).path("stableCount").asLong(), "every interval's observations were fed");
    }

    @Test
    void criticalThresholdBreachAbortsDeterministicallyAndIsExplained() {
        JsonNode a = run(DemoScenario.BAD_SERVICE, "seq-threshold");
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertEquals(1, a.path("measurements").size(), "the canary's 260 MB median breaches 230 MB in the first interval");
        assertTrue(a.path("reason").asText().startsWith("ABORT: critical threshold memory-limit breached"),
                a.path("reason").asText());
        assertTrue(a.path("reason").asText().contains("no α is spent"), a.path("reason").asText());
        JsonNode memory = a.path("measurements").get(0).path("metrics").get(0);
        assertEquals("HIGH", memory.path("classification").asText());
        JsonNode look = memory.path("sequential").get(0);
        assertEquals("threshold", look.path("type").asText());
        assertEquals("above-absolute-upper", look.path("rule").asText());
        assertTrue(look.path("canaryLevel").asDouble() > 2.3e8, look.toPrettyString());
        assertEquals(1, look.path("breaches").asInt());
        assertTrue(memory.path("explanation").asText().startsWith("Threshold memory-limit is HIGH"),
                memory.path("explanation").asText());
        // the non-critical count e-process is reported next to it
        assertEquals("counts", a.path("measurements").get(0).path("metrics").get(1).path("sequential").get(0)
                .path("type").asText());
    }

    @Test
    void thresholdWithinBoundsPromotesWithTheLimitInTheExplanation() {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-threshold");
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals(4, a.path("measurements").size());
        assertTrue(a.path("reason").asText().contains("no critical threshold breached"), a.path("reason").asText());
        assertTrue(a.path("reason").asText().contains("Threshold memory-limit is PASS"), a.path("reason").asText());
        JsonNode look = a.path("measurements").get(3).path("metrics").get(0).path("sequential").get(0);
        assertEquals(0, look.path("breaches").asInt());
        assertEquals(4, look.path("looks").asInt());
        assertEquals("PASS", a.path("metrics").get(0).path("classification").asText());
    }

    @Test
    void fastModeAbortsAShiftedCanaryAndLabelsTheGuaranteeAsymptotic() {
        JsonNode a = run(DemoScenario.BAD_SERVICE, "seq-fast");
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertEquals(1, a.path("measurements").size());
        JsonNode m = a.path("measurements").get(0);
        assertTrue(m.path("fastMode").asBoolean());
        assertTrue(m.path("asymptotic").asBoolean());
        JsonNode rank = m.path("metrics").get(0).path("sequential").get(0);
        assertEquals("ranks-fast", rank.path("type").asText());
        assertTrue(rank.path("asymptotic").asBoolean());
        assertTrue(rank.path("logM").asDouble() >= THRESHOLD, rank.toPrettyString());
        assertTrue(rank.path("explanation").asText().contains("guarantee asymptotic only"), rank.toPrettyString());
        assertTrue(a.path("reason").asText().contains("asymptotic only"), a.path("reason").asText());
        assertTrue(a.path("templateDefinition").path("sequential").path("fastMode").asBoolean(),
                "frozen with the analysis' template");
    }

    @Test
    void fastModePromotesAnIdenticalCanaryWithTheAsymptoticLabel() {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-fast");
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        int n = a.path("measurements").size();
        assertTrue(n == 5 || n == 6, "within tolerance after minPromoteIntervals, or at the planned end: " + n);
        assertTrue(a.path("reason").asText().startsWith("PROMOTE"), a.path("reason").asText());
        assertTrue(a.path("reason").asText().contains("asymptotic only"), a.path("reason").asText());
        JsonNode rank = a.path("measurements").get(n - 1).path("metrics").get(0).path("sequential").get(0);
        assertTrue(rank.path("logM").asDouble() < THRESHOLD, rank.toPrettyString());
        assertEquals(n, rank.path("intervals").asInt());
    }

    /** Every interval's counts the engine fed are the exact differences of the backfilled counters. */
    private void assertExactCounts(String svc, JsonNode ms) {
        SyntheticWorkload w = DemoScenario.workload(startedAt);
        String ns = DemoScenario.NAMESPACE;
        for (int k = 0; k < ms.size(); k++) {
            Instant from = startedAt.plus(Duration.ofMinutes(2L * k));
            Instant to = from.plus(Duration.ofMinutes(2));
            JsonNode interval = ms.get(k).path("metrics").get(0).path("interval");
            assertEquals(w.requestIncrease(ns, svc, "canary", "500", from, to), interval.path("canaryErrors").asLong(),
                    svc + " interval " + (k + 1) + ": " + interval);
            assertEquals(w.requestIncrease(ns, svc, "stable", "500", from, to), interval.path("stableErrors").asLong());
            assertEquals((double) w.requestIncrease(ns, svc, "canary", null, from, to),
                    interval.path("canaryExposure").asDouble());
            assertEquals((double) w.requestIncrease(ns, svc, "stable", null, from, to),
                    interval.path("stableExposure").asDouble());
        }
    }

    @Test
    void exactCountsFromRawCountersAreTheBackfilledIntegers() {
        JsonNode a = run(DemoScenario.BAD_SERVICE, "seq-exact-counts");
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertTrue(a.path("measurements").size() < 6, "aborted early: " + a.path("measurements").size());
        assertExactCounts(DemoScenario.BAD_SERVICE, a.path("measurements"));
        JsonNode ms = a.path("measurements");
        JsonNode last = ms.get(ms.size() - 1).path("metrics").get(0).path("sequential").get(0);
        assertTrue(last.path("logM").asDouble() >= THRESHOLD, last.toPrettyString());

        JsonNode good = run(DemoScenario.GOOD_SERVICE, "seq-exact-counts");
        assertEquals("PROMOTE", good.path("verdict").asText(), good.toPrettyString());
        assertEquals(6, good.path("measurements").size());
        assertExactCounts(DemoScenario.GOOD_SERVICE, good.path("measurements"));
    }
}
