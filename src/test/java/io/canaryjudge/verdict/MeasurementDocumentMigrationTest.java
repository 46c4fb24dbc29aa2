package io.canaryjudge.verdict;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.EventReader;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.TemplateRepository;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Measurement documents that the service wrote before they had a record and a version (captured from the store, see
 * src/test/resources/measurement-documents/v1/README.md) still read, field by field; written again they are the same
 * document plus {@code "version": 1}; and a store holding them answers the REST view and resumes an analysis from
 * them as before.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class MeasurementDocumentMigrationTest {
    private static final List<String> V1 = List.of("fixed-continue-dry-run", "fixed-extend", "fixed-finish-failed",
            "fixed-finish-error", "fixed-finish-inconclusive", "fixed-finish-without-phase",
            "sequential-continue", "sequential-finish-failed", "sequential-finish-successful",
            "sequential-buckets-continue", "sequential-buckets-finish-successful", "sequential-fast-buckets-continue",
            "sequential-fast-finish-successful");

    @Inject
    ObjectMapper json;
    @Inject
    AnalysisStore store;
    @Inject
    TemplateRepository templates;
    @Inject
    EventReader events;

    private static String v1(String name) {
        try (InputStream in = MeasurementDocumentMigrationTest.class.getResourceAsStream(
                "/measurement-documents/v1/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyVersionOneDocumentWritesBackAsTheSameDocumentWithItsVersion() throws Exception {
        for (String name : V1) {
            String old = v1(name);
            MeasurementDocument d = MeasurementCodec.read(json, old);
            assertEquals(1, d.version(), name);
            assertEquals(Map.of(), d.other(), name + ": every field of the old document is modelled");
            String again = MeasurementCodec.write(json, d);
            ObjectNode expected = (ObjectNode) json.readTree(old);
            expected.put("version", 1);
            assertEquals("", difference(expected, json.readTree(again), ""), name);
            assertEquals(expected, json.readTree(again), name);
            assertTrue(again.startsWith("{\"version\":1,\"seq\":"), again);
            assertTrue(again.chars().allMatch(c -> c < 128), name + ": stored in ASCII");
            assertEquals(d, MeasurementCodec.read(json, again), name + ": what the writer writes reads as the same record");
            assertEquals(again, MeasurementCodec.write(json, MeasurementCodec.read(json, again)), name);
            // the top-level fields keep the order the engine wrote them in
            List<String> oldOrder = fieldNames(json.readTree(old));
            assertEquals(oldOrder, fieldNames(json.readTree(again)).subList(1, oldOrder.size() + 1), name);
        }
    }

    @Test
    void aFixedFinalMeasurementReadsFieldByField() {
        String old = v1("fixed-finish-failed");
        JsonNode tree = readTree(old);
        MeasurementDocument d = MeasurementCodec.read(json, old);
        assertEquals(1, d.seq());
        assertNull(d.mode());
        assertNull(d.fastMode());
        assertEquals(Instant.parse(tree.path("windowStart").asText()), d.windowStart());
        assertEquals(Instant.parse(tree.path("windowEnd").asText()), d.windowEnd());
        assertEquals("60s", d.step());
        assertEquals(Verdict.ABORT, d.verdict());
        assertEquals(Optional.of(0.0), d.score());
        assertEquals(tree.path("reason").asText(), d.reason());
        assertTrue(d.reason().startsWith("Critical metric error-rate was HIGH"), d.reason());
        assertTrue(d.finished());
        assertEquals(Phase.FAILED, d.phase());
        assertNull(d.action());
        assertEquals(tree.path("groupScores"), d.groupScores());
        assertEquals(tree.path("counters"), d.counters());
        assertNull(d.sequentialState());
        assertMetrics(tree, d);
        assertEquals(Classification.HIGH, d.metrics().get(0).classification());

        MeasurementDocument error = MeasurementCodec.read(json, v1("fixed-finish-error"));
        assertEquals(Phase.ERROR, error.phase());
        assertTrue(error.metrics().stream().anyMatch(m -> m.error() != null), "a metric whose query failed");
        assertEquals(Classification.ERROR, error.metrics().stream().filter(m -> m.error() != null).findFirst()
                .orElseThrow().classification());
        assertEquals("EXTEND", MeasurementCodec.read(json, v1("fixed-extend")).decision());
        assertTrue(MeasurementCodec.read(json, v1("fixed-continue-dry-run")).metrics().stream()
                .anyMatch(m -> Boolean.TRUE.equals(m.dryRun())));

        MeasurementDocument withoutPhase = MeasurementCodec.read(json, v1("fixed-finish-without-phase"));
        assertTrue(withoutPhase.finished());
        assertNull(withoutPhase.phase(), "written before the phase was stored with the decision");
        assertFalse(readTree(MeasurementCodec.write(json, withoutPhase)).has("phase"));
    }

    @Test
    void sequentialMeasurementsReadFieldByField() {
        String old = v1("sequential-fast-buckets-continue");
        JsonNode tree = readTree(old);
        MeasurementDocument d = MeasurementCodec.read(json, old);
        assertEquals("sequential", d.mode());
        assertEquals(Boolean.TRUE, d.fastMode());
        assertEquals(tree.path("asymptotic").asBoolean(), d.asymptotic());
        assertNull(d.score(), "sequential mode writes no score at all");
        assertFalse(d.finished());
        assertNull(d.phase());
        assertEquals(tree.path("action").asText(), d.action());
        assertEquals(tree.path("verdict").asText(), d.verdict().name());
        assertNull(d.groupScores());
        assertEquals(tree.path("counters"), d.counters());
        assertEquals(tree.path("sequentialState"), d.sequentialState(), "the e-process states as written");
        assertMetrics(tree, d);
        assertTrue(d.metrics().stream().anyMatch(m -> m.detail().containsKey("buckets")), "buckets kept");

        MeasurementDocument promoted = MeasurementCodec.read(json, v1("sequential-finish-successful"));
        assertEquals(Verdict.PROMOTE, promoted.verdict());
        assertEquals(Phase.SUCCESSFUL, promoted.phase());
        assertNull(promoted.fastMode());
        assertTrue(promoted.finished());
    }

    private void assertMetrics(JsonNode tree, MeasurementDocument d) {
        assertEquals(tree.path("metrics").size(), d.metrics().size());
        for (int i = 0; i < d.metrics().size(); i++) {
            JsonNode m = tree.path("metrics").get(i);
            MeasurementDocument.Metric r = d.metrics().get(i);
            assertEquals(m.path("name").asText(), r.name());
            assertEquals(m.path("kind").asText(), r.kind());
            assertEquals(m.path("critical").asBoolean(), r.critical());
            assertEquals(m.path("classification").asText(), r.classification().name());
            assertEquals(m.path("explanation").asText(), r.explanation());
            assertEquals(m.path("canary"), r.detail().get("canary"), "each cohort's queries and values as written");
        }
    }

    /** A field this version does not model (added by a later one) is written back as it was read. */
    @Test
    void fieldsThisVersionDoesNotModelSurviveARoundTrip() throws Exception {
        ObjectNode later = (ObjectNode) json.readTree(v1("sequential-continue"));
        later.putObject("provenance").put("replica", "canary-judge-2");
        ((ObjectNode) later.get("metrics").get(0)).putObject("novel").put("x", 1.5);
        MeasurementDocument d = MeasurementCodec.read(json, json.writeValueAsString(later));
        assertEquals(later.get("provenance"), d.other().get("provenance"));
        ObjectNode expected = later.deepCopy();
        expected.put("version", 1);
        assertEquals(expected, json.readTree(MeasurementCodec.write(json, d)));
    }

    @Test
    void aDocumentThisVersionCannotReadIsRefusedWithTheReason() {
        UnreadableDocumentException newer = assertThrows(UnreadableDocumentException.class,
                () -> MeasurementCodec.read(json, v1("sequential-continue").replaceFirst("\\{", "{\"version\":2,")));
        assertTrue(newer.getMessage().contains("version 2"), newer.getMessage());
        UnreadableDocumentException garbage = assertThrows(UnreadableDocumentException.class,
                () -> MeasurementCodec.read(json, "{\"seq\": [not json"));
        assertTrue(garbage.getMessage().startsWith("the measurement document is not JSON"), garbage.getMessage());
    }

    /** The REST view serves the stored documents as they were written, with when each was taken. */
    @Test
    void theRestViewServesTheStoredDocumentsAsWritten() {
        List<String> docs = List.of(v1("sequential-buckets-continue"), v1("sequential-buckets-finish-successful"));
        String id = running(docs, "http-golden-signals");
        JsonNode view = readTree(given().get("/api/v1/analyses/" + id).then().statusCode(200).extract().asString());
        assertEquals(2, view.path("measurements").size());
        for (int i = 0; i < docs.size(); i++) {
            ObjectNode served = view.path("measurements").get(i).deepCopy();
            assertTrue(served.has("takenAt"));
            served.remove("takenAt");
            assertEquals(readTree(docs.get(i)), served);
        }
    }

    /**
     * An analysis whose last stored measurement (written before the phase was stored with it) decided to finish is
     * ended by the engine with that decision, and its verdict carries the measurement's metrics without raw values.
     */
    @Test
    void theEngineEndsAnAnalysisFromAStoredFinalDecisionWithoutPhase() {
        String last = v1("fixed-finish-without-phase");
        JsonNode tree = readTree(last);
        String id = running(List.of(last), "http-golden-signals-fixed");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> store.find(id).orElseThrow().phase().terminal());
        AnalysisRecord a = store.find(id).orElseThrow();
        assertEquals(Phase.FAILED, a.phase(), "the phase of its verdict");
        assertEquals(Verdict.ABORT, a.verdict());
        assertEquals(tree.path("reason").asText(), a.reason());
        assertEquals(1, store.measurementCount(id), "no measurement was taken after the final one");
        VerdictDocument v = VerdictCodec.read(json, a.verdictJson());
        assertEquals(Optional.of(0.0), v.score());
        assertEquals(tree.path("metrics").size(), v.metrics().size());
        for (int i = 0; i < v.metrics().size(); i++) {
            ObjectNode metric = tree.path("metrics").get(i).deepCopy();
            for (String cohort : List.of("canary", "stable")) {
                if (metric.get(cohort) instanceof ObjectNode c) {
                    c.remove(List.of("values", "times"));
                }
            }
            assertEquals(metric, json.valueToTree(v.metrics().get(i)));
        }
    }

    /** A RUNNING analysis of 10 planned measurements whose stored ones are the given documents. */
    private String running(List<String> docs, String template) {
        try {
            String id = UUID.randomUUID().toString();
            String service = "migration-" + id.substring(0, 8);
            Instant now = Instant.now();
            Instant startedAt = now.minus(Duration.ofMinutes(30));
            DeploymentEvent event = events.read(json.readTree(DemoScenario.event("migration-" + id, service,
                    startedAt)));
            String t = json.writeValueAsString(templates.find(template).orElseThrow());
            store.insertIfAbsent(AnalysisRecordBuilder.analysis().id(id).eventId(event.id())
                    .deploymentId(event.deploymentId()).namespace(event.namespace()).service(service).environment(null)
                    .template(template).canaryDigest(event.canary().digest()).stableDigest(event.stable().digest())
                    .eventJson(json.writeValueAsString(event)).templateJson(t).startedAt(startedAt)
                    .interval(Duration.ofMinutes(1)).measurementCount(10).phase(Phase.RUNNING).created(now).build());
            for (int seq = 1; seq <= docs.size(); seq++) {
                JsonNode d = readTree(docs.get(seq - 1));
                store.addMeasurement(new MeasurementRecord(id, seq, startedAt.plus(Duration.ofMinutes(seq - 1L)),
                        startedAt.plus(Duration.ofMinutes(seq)), now, Verdict.valueOf(d.path("verdict").asText()), null, docs.get(seq - 1)));
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where two documents differ first ("" when they do not), to say which field a failure is about. */
    private static String difference(JsonNode a, JsonNode b, String path) {
        if (a.isObject() && b.isObject()) {
            for (String f : fieldNames(a)) {
                String d = b.has(f) ? difference(a.get(f), b.get(f), path + "/" + f) : path + "/" + f + " missing";
                if (!d.isEmpty()) {
                    return d;
                }
            }
            return a.size() == b.size() ? "" : path + " has other fields: " + fieldNames(b);
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = difference(a.get(i), b.get(i), path + "/" + i);
                if (!d.isEmpty()) {
                    return d;
                }
            }
            return "";
        }
        return a.equals(b) ? "" : path + ": " + a + " (" + a.getNodeType() + ") vs " + b + " (" + b.getNodeType() + ")";
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
