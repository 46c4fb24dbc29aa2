package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.FaultyProxy;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * One test per lifecycle rule, on the real Prometheus with backfilled data (through a pass-through proxy that
 * can be told to fail). None of them may ever end in PROMOTE on missing or broken data.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class LifecycleRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @ConfigProperty(name = "canary.prometheus.url")
    String proxyUrl;

    private JsonNode run(String service, String template, String marker) {
        String id = template + "-" + System.nanoTime();
        String location = given().contentType("application/json")
                .body(DemoScenario.event(id, service, startedAt, template, marker))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            JsonNode a = JSON.readTree(given().get(location).then().statusCode(200).extract().asString());
            done.set(a);
            return !a.path("phase").asText().equals("PENDING") && !a.path("phase").asText().equals("RUNNING");
        });
        return done.get();
    }

    private static JsonNode lastMetric(JsonNode analysis, int index) {
        JsonNode ms = analysis.path("measurements");
        return ms.get(ms.size() - 1).path("metrics").get(index);
    }

    @Test
    void noDataOnACriticalMetricIsInconclusiveNeverPromote() {
        JsonNode a = run("cart", "rules-nodata", null);
        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("INCONCLUSIVE", a.path("phase").asText());
        assertEquals(3, a.path("measurements").size());
        assertEquals("NO_DATA", lastMetric(a, 0).path("classification").asText());
        assertTrue(a.path("reason").asText().contains("still lack data"), a.path("reason").asText());
    }

    @Test
    void inconclusiveLimitEndsTheAnalysisEarly() {
        JsonNode a = run("cart", "rules-inconclusive-limit", null);
        assertEquals("INCONCLUSIVE", a.path("verdict").asText());
        assertEquals(2, a.path("measurements").size(), "second measurement without data exceeds the limit of 1");
        assertTrue(a.path("reason").asText().contains("inconclusiveLimit 1"), a.path("reason").asText());
    }

    @Test
    void nanSamplesAreDroppedAndCountedSoTheMetricHasNoData() {
        JsonNode a = run("cart", "rules-nan", null);
        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        JsonNode m = lastMetric(a, 0);
        assertEquals("NO_DATA", m.path("classification").asText());
        assertEquals(4, m.path("canary").path("dropped").asInt(), m.toPrettyString());
        assertTrue(m.path("canary").path("values").get(0).isNull(), "the NaN read is stored as null");
    }

    @Test
    void nanPolicyZeroJudgesZeros() {
        JsonNode a = run("cart", "rules-nan-zero", null);
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals(0, lastMetric(a, 0).path("canary").path("dropped").asInt());
    }

    @Test
    void severalSeriesForOneCohortIsAnErrorTellingToAggregate() {
        JsonNode a = run("cart", "rules-multiple-series", null);
        assertEquals("ERROR", a.path("phase").asText(), a.toPrettyString());
        assertEquals("INCONCLUSIVE", a.path("verdict").asText());
        assertEquals(2, a.path("measurements").size());
        JsonNode m = lastMetric(a, 0);
        assertEquals("ERROR", m.path("classification").asText());
        assertTrue(m.path("error").asText().contains("returned 2 series"), m.path("error").asText());
        assertTrue(m.path("error").asText().contains("aggregate"), m.path("error").asText());
    }

    @Test
    void failureLimitToleratesFailuresThenAborts() {
        JsonNode a = run("checkout", "rules-failure-limit", null);
        assertEquals("ABORT", a.path("verdict").asText());
        assertEquals("FAILED", a.path("phase").asText());
        assertEquals(3, a.path("measurements").size(), "the third HIGH exceeds failureLimit 2");
        assertTrue(a.path("reason").asText().contains("failureLimit 2"), a.path("reason").asText());
        assertEquals(2, a.path("measurements").get(1).path("counters").path("error-rate").path("failures").asInt());
    }

    @Test
    void lowTrafficExtendsThenEndsInconclusive() {
        JsonNode a = run("search", "rules-low-traffic-extend", null);
        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals(5, a.path("measurements").size(), "3 measurements and 2 extensions");
        assertEquals(5, a.path("measurementCount").asInt());
        assertEquals("EXTEND", a.path("measurements").get(2).path("decision").asText());
        assertTrue(a.path("reason").asText().contains("maxExtensions 2"), a.path("reason").asText());
    }

    @Test
    void lowTrafficCanBeConfiguredToFail() {
        JsonNode a = run("search", "rules-low-traffic-fail", null);
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertTrue(a.path("reason").asText().contains("insufficientData: fail"));
    }

    @Test
    void dryRunMetricIsReportedButDoesNotDecide() {
        JsonNode a = run("checkout", "rules-dry-run", null);
        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        JsonNode dry = lastMetric(a, 0);
        assertTrue(dry.path("dryRun").asBoolean());
        assertEquals("HIGH", dry.path("classification").asText());
    }

    @Test
    void everyMeasurementRecordsQueriesRangeStepAndValues() {
        JsonNode a = run("cart", "rules-nan-zero", null);
        JsonNode m = a.path("measurements").get(2);
        assertEquals(startedAt.toString(), m.path("windowStart").asText());
        assertEquals(startedAt.plusSeconds(180).toString(), m.path("windowEnd").asText());
        assertEquals("60s", m.path("step").asText());
        JsonNode metric = m.path("metrics").get(0);
        assertEquals("sum(container_memory_working_set_bytes{ namespace=\"shop\",service=\"cart\",track=\"canary\" }) * 0 / 0",
                metric.path("canary").path("queries").get(0).asText());
        assertEquals(4, metric.path("canary").path("values").size());
    }

    @Test
    void labelValuesFromEventsCannotChangeTheQuery() throws Exception {
        // If this value escaped its string literal, "or vector(1)" would make Prometheus return data.
        String hostile = "canary\"} or vector(1) or up{x=~\".*\\\\\n=~}";
        com.fasterxml.jackson.databind.node.ObjectNode event = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(DemoScenario.event("inject-" + System.nanoTime(), "cart", startedAt, "rules-nan-zero", null));
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.path("canary").path("labels")).put("track", hostile);
        String location = given().contentType("application/json").body(event.toString()).post("/api/v1/analyses")
                .then().statusCode(202).extract().header("Location");
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            done.set(JSON.readTree(given().get(location).then().extract().asString()));
            return !done.get().path("phase").asText().matches("PENDING|RUNNING");
        });
        JsonNode m = lastMetric(done.get(), 0);
        assertEquals("INCONCLUSIVE", done.get().path("verdict").asText(), done.get().toPrettyString());
        assertEquals("NO_DATA", m.path("classification").asText());
        assertEquals(0, m.path("canary").path("values").size(), "the hostile matcher selects nothing");
        assertTrue(m.path("canary").path("queries").get(0).asText()
                .contains("track=\"canary\\\"} or vector(1) or up{x=~\\\".*\\\\\\\\\\n=~}\""),
                m.path("canary").path("queries").get(0).asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"503", "garbage", "slow", "drop"})
    void prometheusFailingMidAnalysisEndsInErrorNeverPromote(String mode) {
        String marker = "fault_" + mode.replace("5", "five") + "_" + System.nanoTime();
        // the first measurement's 4 queries pass, every later one fails
        FaultyProxy.fault(proxyUrl, marker, 4, mode, 3000);
        JsonNode a = run("cart", "rules-errors", marker);
        assertEquals("ERROR", a.path("phase").asText(), a.toPrettyString());
        assertEquals("INCONCLUSIVE", a.path("verdict").asText());
        assertEquals(3, a.path("measurements").size(), "one good measurement, then consecutiveErrorLimit 1 is exceeded");
        assertEquals("ERROR", lastMetric(a, 0).path("classification").asText());
        assertTrue(a.path("reason").asText().contains("2 times in a row"), a.path("reason").asText());
    }
}
