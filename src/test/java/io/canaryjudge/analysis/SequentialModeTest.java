package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * {@code mode: sequential} end to end on the real Prometheus with the backfilled demo workload: each measurement
 * feeds one new interval to the e-processes; a bad canary aborts as soon as ln M reaches ln(1/α), a healthy one
 * is promoted after the last measurement, missing data never promotes, and each measurement continues from the
 * state stored with the previous one.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class SequentialModeTest {
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

    private static JsonNode test(JsonNode measurement, int metric, int test) {
        return measurement.path("metrics").get(metric).path("sequential").get(test);
    }

    @Test
    void badCanaryAbortsEarlyOnceLnMReachesTheThreshold() {
        JsonNode a = run(DemoScenario.BAD_SERVICE, "seq-http");
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("FAILED", a.path("phase").asText());
        JsonNode ms = a.path("measurements");
        assertTrue(ms.size() < 8, "aborted before the 8 planned measurements: " + ms.size());
        JsonNode last = ms.get(ms.size() - 1);
        assertEquals("sequential", last.path("mode").asText());
        assertEquals("ABORT", last.path("action").asText());
        JsonNode errors = test(last, 0, 0);
        assertTrue(errors.path("logM").asDouble() >= THRESHOLD, errors.toPrettyString());
        assertTrue(errors.path("pValue").asDouble() <= 0.05, errors.toPrettyString());
        assertTrue(errors.path("rateRatio").path("lower").asDouble() > 1, "the 95 % CS excludes a ratio of 1");
        assertTrue(errors.path("explanation").asText().contains("worse than the 1.2× tolerance"),
                errors.path("explanation").asText());
        assertTrue(a.path("reason").asText().startsWith("ABORT"), a.path("reason").asText());
        assertEquals(1, last.path("counters").path("error-rate").path("failures").asInt());
        assertEquals("HIGH", last.path("metrics").get(0).path("classification").asText());
        assertTrue(a.path("metrics").get(0).path("explanation").asText().contains("ln M"),
                "the verdict's metrics carry the sentence, as fixed mode's do");
    }

    @Test
    void healthyCanaryIsPromotedAfterAllMeasurementsBelowTheThreshold() {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-http");
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("SUCCESSFUL", a.path("phase").asText());
        JsonNode ms = a.path("measurements");
        assertEquals(8, ms.size());
        JsonNode last = ms.get(7);
        for (JsonNode metric : last.path("metrics")) {
            for (JsonNode t : metric.path("sequential")) {
                boolean abortTest = t.path("type").asText().matches("counts|ranks");
                if (abortTest) {
                    assertTrue(t.path("logM").asDouble() < THRESHOLD, t.toPrettyString());
                    assertFalse(t.path("explanation").asText().isBlank());
                }
                // the tail test's first interval only sets its threshold
                assertEquals(t.path("type").asText().equals("tail") ? 7 : 8, t.path("looks").asInt(), t.toPrettyString());
            }
        }
        // PROMOTE needed both critical metrics' detectable regressions ruled out
        assertEquals("RULED_OUT", test(last, 0, 0).path("status").asText(), test(last, 0, 0).toPrettyString());
        assertTrue(test(last, 1, 1).path("logM").asDouble() >= THRESHOLD, "latency's rule-out test crossed: "
                + test(last, 1, 1).toPrettyString());
        assertTrue(a.path("reason").asText().startsWith("PROMOTE"), a.path("reason").asText());
        // the service's mapper stores the rank e-process's node sums compactly (StateDocuments), and the next
        // measurement continued from them: 8 looks above
        JsonNode ranks = last.path("sequentialState").path("latency-p50").path("tests").get(0);
        assertEquals("ranks", ranks.path("type").asText(), last.path("sequentialState").toPrettyString());
        assertTrue(ranks.path("state").path("ell").asText().startsWith("201:"), ranks.toPrettyString());
        // the verdict carries every test's numbers too: ln M, anytime p, the estimate and the sentence
        JsonNode verdictErrors = a.path("metrics").get(0).path("sequential").get(0);
        assertEquals("counts", verdictErrors.path("type").asText(), a.path("metrics").toPrettyString());
        assertTrue(verdictErrors.path("logM").isNumber());
        assertTrue(verdictErrors.path("pValue").asDouble() > 0.05);
        assertTrue(verdictErrors.path("rateRatio").has("upper"));
        assertTrue(verdictErrors.path("explanation").asText().contains("anytime p"));
        assertEquals("sequential", a.path("templateDefinition").path("mode").asText());
        assertEquals("PASS", a.path("metrics").get(0).path("classification").asText());
    }

    @Test
    void noDataInSequentialModeIsInconclusiveNeverPromote() {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-nodata");
        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("INCONCLUSIVE", a.path("phase").asText());
        assertEquals(3, a.path("measurements").size());
        assertTrue(a.path("reason").asText().contains("still lack data"), a.path("reason").asText());
        assertEquals("NO_DATA", a.path("metrics").get(0).path("classification").asText());
    }

    @Test
    void eachMeasurementContinuesFromTheStateStoredWithThePreviousOne() throws Exception {
        JsonNode a = run(DemoScenario.GOOD_SERVICE, "seq-http");
        JsonNode ms = a.path("measurements");
        assertEquals(8, ms.size(), a.toPrettyString());
        for (int k = 0; k + 1 < ms.size(); k++) {
            JsonNode stored = ms.get(k).path("sequentialState").path("error-rate").path("tests").get(0);
            assertEquals("counts", stored.path("type").asText());
            CountRatioEProcess state = JSON.treeToValue(stored.path("state"), CountRatioEProcess.class);
            assertEquals(JSON.writeValueAsString(stored.path("state")), JSON.writeValueAsString(state),
                    "the stored state round-trips");
            CountInterval next = JSON.treeToValue(ms.get(k + 1).path("metrics").get(0).path("interval"),
                    CountInterval.class);
            CountRatioEProcess continued = state.update(next);
            JsonNode after = test(ms.get(k + 1), 0, 0);
            assertEquals(continued.logM(), after.path("logM").asDouble(), 1e-12, "measurement " + (k + 2));
            assertEquals(k + 2, after.path("looks").asInt());
            JsonNode storedNext = ms.get(k + 1).path("sequentialState").path("error-rate").path("tests").get(0);
            assertEquals(continued, JSON.treeToValue(storedNext.path("state"), CountRatioEProcess.class),
                    "measurement " + (k + 2) + " stored exactly the continued process");
        }
        // the windows are the new intervals, not the cumulative window
        assertEquals(startedAt.plusSeconds(120).toString(), ms.get(1).path("windowStart").asText());
        assertEquals(startedAt.plusSeconds(240).toString(), ms.get(1).path("windowEnd").asText());
    }
}
