package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.testing.SyntheticWorkload;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole path on real parts: Kafka event in, real Prometheus queried, verdict stored, on Kafka and over REST. */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class DeploymentFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    KafkaTestClient kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaTestClient(bootstrap);
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    @Test
    void worseCanaryFromKafkaIsAbortedOnKafkaAndRestWithTheBackfilledValues() throws Exception {
        String id = "evt-bad-" + System.nanoTime();
        kafka.send("deployments", "shop/checkout", DemoScenario.event(id, DemoScenario.BAD_SERVICE, startedAt));

        JsonNode verdict = awaitVerdict(id);
        assertEquals("ABORT", verdict.path("verdict").asText(), verdict.toPrettyString());
        assertEquals("sequential", verdict.path("mode").asText(), "the shipped template judges sequentially");
        String analysisId = verdict.path("analysisId").asText();
        // The verdict explains itself per metric with the e-process' numbers.
        JsonNode errors = metric(verdict, "error-rate");
        assertEquals("HIGH", errors.path("classification").asText(), errors.toPrettyString());
        JsonNode test = errors.path("sequential").get(0);
        assertEquals("counts", test.path("type").asText(), errors.toPrettyString());
        assertEquals(Math.log(1 / 0.05), test.path("threshold").asDouble(), 1e-12);
        assertTrue(test.path("logM").asDouble() >= test.path("threshold").asDouble(), test.toPrettyString());
        assertTrue(test.path("pValue").asDouble() <= 0.05, test.toPrettyString());
        assertEquals(1, test.path("looks").asInt());
        assertTrue(test.path("rateRatio").path("lower").asDouble() > 1, "the 95 % confidence sequence excludes 1");
        assertTrue(errors.path("canary").path("exposure").asDouble() > 0);
        // 5 % against 0.2 % errors: the evidence passes ln(1/α) in the first interval, so it stops at 1 of 10.
        assertEquals("FAILED", verdict.path("phase").asText());
        assertEquals(1, verdict.path("measurements").asInt());
        assertTrue(verdict.path("reason").asText().contains("aborted early at measurement 1 of 10"), verdict.path("reason").asText());
        assertTrue(verdict.path("reason").asText().contains("worse than the 1.2× tolerance (count e-process: ln M "),
                verdict.path("reason").asText());

        String analysis = given().get("/api/v1/analyses/" + analysisId).then().statusCode(200)
                .body("verdict", equalTo("ABORT"))
                .body("phase", equalTo("FAILED"))
                .body("eventId", equalTo(id))
                .body("measurements.size()", equalTo(1))
                .body("metrics.name", hasItem("error-rate"))
                .extract().asString();

        // The values Prometheus gave back are exactly the backfilled ones: memory is a plain gauge summed over one
        // pod, sampled at each step of the measurement's own interval (start, start + 1m] from one step after its start.
        SyntheticWorkload workload = DemoScenario.workload(startedAt);
        JsonNode last = JSON.readTree(analysis).path("measurements").get(0);
        assertEquals(startedAt.toString(), last.path("windowStart").asText());
        assertEquals(startedAt.plusSeconds(60).toString(), last.path("windowEnd").asText());
        JsonNode memory = null;
        for (JsonNode m : last.path("metrics")) {
            if (m.path("name").asText().equals("memory-working-set")) {
                memory = m;
            }
        }
        assertNotNull(memory, last.toPrettyString());
        for (String track : new String[] {"canary", "stable"}) {
            JsonNode values = memory.path(track).path("values");
            JsonNode times = memory.path(track).path("times");
            assertEquals(2, values.size(), "one value per 30 s step of the interval");
            for (int i = 0; i < values.size(); i++) {
                Instant at = startedAt.plusSeconds(30L * (i + 1));
                assertEquals(at.getEpochSecond(), times.get(i).asLong());
                assertEquals(workload.memoryAt("shop", "checkout", track, at), values.get(i).asDouble(), 0.0,
                        track + " memory at " + at);
            }
        }
    }

    @Test
    void fixedTemplateJudgesTheWorseCanaryWithTheFixedHorizonJudge() throws Exception {
        String id = "evt-fixed-" + System.nanoTime();
        kafka.send("deployments", "shop/checkout", DemoScenario.event(id, DemoScenario.BAD_SERVICE, startedAt,
                "http-golden-signals-fixed", null));
        JsonNode verdict = awaitVerdict(id);
        assertEquals("ABORT", verdict.path("verdict").asText(), verdict.toPrettyString());
        assertTrue(verdict.path("mode").isMissingNode(), "fixed mode: " + verdict.path("mode"));
        JsonNode errors = metric(verdict, "error-rate");
        assertEquals("HIGH", errors.path("classification").asText(), errors.toPrettyString());
        assertTrue(errors.path("pValue").asDouble() < 1e-6, errors.toPrettyString());
        assertTrue(errors.path("rateRatio").path("lower").asDouble() > 1, errors.toPrettyString());
        // The critical error rate is significantly worse from the first minute: Argo's failureLimit 0 aborts early.
        assertEquals("FAILED", verdict.path("phase").asText());
        assertTrue(verdict.path("reason").asText().contains("aborted early at measurement 1 of 10"), verdict.path("reason").asText());
        JsonNode p99 = metric(verdict, "latency-p99");
        assertEquals("too-few-samples", p99.path("rule").asText(), p99.toPrettyString());
        // measurement 1 covers the cumulative window [start, start + 1m]: one memory value per 1m step, both ends
        JsonNode last = JSON.readTree(given().get("/api/v1/analyses/" + verdict.path("analysisId").asText())
                .then().statusCode(200).extract().asString()).path("measurements").get(0);
        JsonNode memory = null;
        for (JsonNode m : last.path("metrics")) {
            if (m.path("name").asText().equals("memory-working-set")) {
                memory = m;
            }
        }
        assertNotNull(memory, last.toPrettyString());
        SyntheticWorkload workload = DemoScenario.workload(startedAt);
        JsonNode values = memory.path("canary").path("values");
        assertEquals(2, values.size(), "one value per minute from start to end of the window");
        for (int i = 0; i < values.size(); i++) {
            Instant at = startedAt.plusSeconds(60L * i);
            assertEquals(workload.memoryAt("shop", "checkout", "canary", at), values.get(i).asDouble(), 0.0, "at " + at);
        }
    }

    @Test
    void structuredCloudEventOfAHealthyCanaryIsPromoted() throws Exception {
        String id = "evt-good-" + System.nanoTime();
        String ce = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"type\":\"io.canaryjudge.canary.started\","
                + "\"source\":\"/argo\",\"datacontenttype\":\"application/json\",\"data\":"
                + DemoScenario.event(id, DemoScenario.GOOD_SERVICE, startedAt) + "}";
        kafka.send("deployments", "shop/cart", ce.getBytes(StandardCharsets.UTF_8),
                Map.of("content-type", "application/cloudevents+json"));
        JsonNode verdict = awaitVerdict(id);
        assertEquals("PROMOTE", verdict.path("verdict").asText(), verdict.toPrettyString());
        // no critical abort test reached ln(1/α), and every critical metric ruled out its detectable regression:
        // early (within tolerance after 5) or at the planned 10
        int n = verdict.path("measurements").asInt();
        assertTrue(n >= 5 && n <= 10, "measurements: " + n);
        for (JsonNode m : verdict.path("metrics")) {
            for (JsonNode t : m.path("sequential")) {
                // the tail test's first interval only sets its threshold
                assertEquals(t.path("type").asText().equals("tail") ? n - 1 : n, t.path("looks").asInt(),
                        t.toPrettyString());
                if (m.path("critical").asBoolean() && t.path("type").asText().matches("counts|ranks")) {
                    assertTrue(t.path("logM").asDouble() < t.path("threshold").asDouble(), t.toPrettyString());
                    assertTrue(t.path("status").asText().matches("RULED_OUT|WITHIN_TOLERANCE"), t.toPrettyString());
                }
            }
        }
        assertTrue(verdict.path("reason").asText().startsWith("PROMOTE"), verdict.path("reason").asText());
        assertTrue(verdict.path("reason").asText().contains("error-rate "), verdict.path("reason").asText());
    }

    @Test
    void binaryCloudEventTakesIdAndTypeFromHeaders() throws Exception {
        String id = "evt-bin-" + System.nanoTime();
        JsonNode data = JSON.readTree(DemoScenario.event("ignored", DemoScenario.GOOD_SERVICE, startedAt));
        ((com.fasterxml.jackson.databind.node.ObjectNode) data).remove("id");
        ((com.fasterxml.jackson.databind.node.ObjectNode) data).remove("type");
        kafka.send("deployments", "shop/cart", JSON.writeValueAsBytes(data), Map.of(
                "ce_specversion", "1.0", "ce_id", id, "ce_type", "canary.started", "ce_source", "/flagger",
                "content-type", "application/json"));
        JsonNode verdict = awaitVerdict(id);
        assertEquals("shop", verdict.path("namespace").asText());
    }

    @Test
    void malformedEventIsDeadLetteredWithReasonAndTheNextOneStillGetsItsVerdict() throws Exception {
        String bad = "{\"id\":\"evt-broken\",\"type\":\"canary.started\",\"canary\":{\"digest\":\"latest\"}";
        kafka.send("deployments", "shop/checkout", bad);
        String invalidDigest = DemoScenario.event("evt-tag-" + System.nanoTime(), "checkout", startedAt)
                .replace("sha256:" + "c".repeat(64), "v1.2.3");
        kafka.send("deployments", "shop/checkout", invalidDigest);
        String id = "evt-after-" + System.nanoTime();
        kafka.send("deployments", "shop/cart", DemoScenario.event(id, DemoScenario.GOOD_SERVICE, startedAt));

        ConsumerRecord<String, byte[]> dead = kafka.await("deployments.dlq",
                r -> bad.equals(KafkaTestClient.value(r)), WAIT);
        assertTrue(KafkaTestClient.header(dead, "reason").contains("malformed JSON"), KafkaTestClient.header(dead, "reason"));
        assertEquals("deployments", KafkaTestClient.header(dead, "original-topic"));
        ConsumerRecord<String, byte[]> tagged = kafka.await("deployments.dlq",
                r -> invalidDigest.equals(KafkaTestClient.value(r)), WAIT);
        assertTrue(KafkaTestClient.header(tagged, "reason").contains("canary.digest"), KafkaTestClient.header(tagged, "reason"));
        assertNotNull(awaitVerdict(id));
    }

    @Test
    void sameEventIdTwiceIsOneAnalysis() throws Exception {
        String id = "evt-dup-" + System.nanoTime();
        String event = DemoScenario.event(id, DemoScenario.GOOD_SERVICE, startedAt);
        kafka.send("deployments", "shop/cart", event);
        kafka.send("deployments", "shop/cart", event);
        String analysisId = awaitVerdict(id).path("analysisId").asText();
        String viaRest = given().contentType("application/json").body(event).post("/api/v1/analyses")
                .then().statusCode(202).extract().path("id");
        assertEquals(analysisId, viaRest);
        Thread.sleep(1000);
        long verdicts = kafka.readAll("canary-verdicts", Duration.ofSeconds(3)).stream()
                .filter(r -> KafkaTestClient.value(r).contains("\"eventId\":\"" + id + "\"")).count();
        assertEquals(1, verdicts);
    }

    private static JsonNode metric(JsonNode verdict, String name) {
        for (JsonNode m : verdict.path("metrics")) {
            if (m.path("name").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no metric " + name + " in " + verdict);
    }

    /**
     * An analysis superseded by the next canary of its service, and one stopped by a cancel event, each end with a
     * CANCELLED event on the verdict topic (own type, verdict null, the reason): nobody waits for a verdict that will
     * never come.
     */
    @Test
    void supersededAndCancelledAnalysesAnnounceTheirEndOnTheVerdictTopic() throws Exception {
        Instant now = Instant.now(); // windows still open: both stay running until they are ended
        String service = "cancel-" + System.nanoTime();
        String first = "evt-first-" + System.nanoTime();
        String second = "evt-second-" + System.nanoTime();
        kafka.send("deployments", "shop/" + service, DemoScenario.event(first, service, now));
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> given().get("/api/v1/analyses?service=" + service)
                .then().extract().jsonPath().getList("items").size() == 1);
        kafka.send("deployments", "shop/" + service, DemoScenario.event(second, service, now.plusSeconds(1)));

        ConsumerRecord<String, byte[]> ended = kafka.await("canary-verdicts",
                rec -> KafkaTestClient.value(rec).contains("\"eventId\":\"" + first + "\""), WAIT);
        assertEquals("io.canaryjudge.analysis.cancelled.v1", KafkaTestClient.header(ended, "ce_type"));
        JsonNode v = JSON.readTree(ended.value());
        assertEquals("CANCELLED", v.path("phase").asText(), v.toPrettyString());
        assertTrue(v.path("verdict").isNull(), v.toPrettyString());
        assertTrue(v.path("reason").asText().startsWith("superseded by analysis "), v.toPrettyString());
        assertTrue(v.path("reason").asText().endsWith("(event " + second + ")"), v.toPrettyString());
        assertEquals("shop/" + service, ended.key());
        assertEquals("verdict-" + v.path("analysisId").asText(), KafkaTestClient.header(ended, "ce_id"));

        kafka.send("deployments", "shop/" + service, "{\"id\":\"evt-stop-" + service
                + "\",\"type\":\"canary.cancelled\",\"namespace\":\"shop\",\"service\":\"" + service + "\"}");
        ConsumerRecord<String, byte[]> stopped = kafka.await("canary-verdicts",
                rec -> KafkaTestClient.value(rec).contains("\"eventId\":\"" + second + "\""), WAIT);
        assertEquals("io.canaryjudge.analysis.cancelled.v1", KafkaTestClient.header(stopped, "ce_type"));
        assertEquals("cancelled by event evt-stop-" + service, JSON.readTree(stopped.value()).path("reason").asText());
    }

    private JsonNode awaitVerdict(String eventId) throws Exception {
        ConsumerRecord<String, byte[]> r = kafka.await("canary-verdicts",
                rec -> KafkaTestClient.value(rec).contains("\"eventId\":\"" + eventId + "\""), WAIT);
        assertEquals("io.canaryjudge.verdict.v1", KafkaTestClient.header(r, "ce_type"));
        assertEquals("1.0", KafkaTestClient.header(r, "ce_specversion"));
        JsonNode v = JSON.readTree(r.value());
        assertEquals("verdict-" + v.path("analysisId").asText(), KafkaTestClient.header(r, "ce_id"));
        assertEquals(v.path("namespace").asText() + "/" + v.path("service").asText(), r.key());
        return v;
    }
}
