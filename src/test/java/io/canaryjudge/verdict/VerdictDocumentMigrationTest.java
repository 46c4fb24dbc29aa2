package io.canaryjudge.verdict;

import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.integrations.IntegrationAnalyses;
import io.canaryjudge.integrations.IntegrationOutcome;
import io.canaryjudge.supplychain.SignatureMode;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Verdict documents that the service wrote before they had a record and a version (captured from the store, see
 * src/test/resources/verdict-documents/v1/README.md) still read, field by field; written again they are the same
 * document plus {@code "version": 1}; and a store holding them answers the REST view and the integrations as before.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class VerdictDocumentMigrationTest {
    private static final List<String> V1 = List.of("sequential-promote", "sequential-abort-signed",
            "sequential-inconclusive-signed", "fixed-abort", "cancelled", "unreadable-error", "decision-approve",
            "decision-abort-running");

    @Inject
    ObjectMapper json;

    @Inject
    AnalysisStore store;

    @Inject
    IntegrationAnalyses integrations;

    private static String v1(String name) {
        try (InputStream in = VerdictDocumentMigrationTest.class.getResourceAsStream(
                "/verdict-documents/v1/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyVersionOneDocumentWritesBackAsTheSameDocumentWithItsVersion() throws Exception {
        for (String name : V1) {
            String old = v1(name);
            VerdictDocument d = VerdictCodec.read(json, old);
            assertEquals(1, d.version(), name);
            assertEquals(Map.of(), d.other(), name + ": every field of the old document is modelled");
            String again = VerdictCodec.write(json, d);
            ObjectNode expected = (ObjectNode) json.readTree(old);
            expected.put("version", 1);
            assertEquals(expected, json.readTree(again), name);
            assertTrue(again.startsWith("{\"version\":1,\"analysisId\":"), again);
            assertEquals(d, VerdictCodec.read(json, again), name + ": what the writer writes reads as the same record");
        }
    }

    @Test
    void aSequentialAbortReadsFieldByField() {
        String old = v1("sequential-abort-signed");
        JsonNode tree = readTree(old);
        VerdictDocument d = VerdictCodec.read(json, old);
        assertEquals(tree.path("analysisId").asText(), d.analysisId());
        assertEquals(tree.path("eventId").asText(), d.eventId());
        assertEquals(tree.path("deploymentId").asText(), d.deploymentId());
        assertEquals("shop", d.namespace());
        assertEquals(tree.path("service").asText(), d.service());
        assertNull(d.environment());
        assertEquals(tree.path("template").asText(), d.template());
        assertEquals(Verdict.ABORT, d.verdict());
        assertEquals(Phase.FAILED, d.phase());
        assertEquals("sequential", d.mode());
        assertNull(d.fastMode());
        assertNull(d.asymptotic());
        assertEquals(Optional.empty(), d.score(), "sequential mode: \"score\": null");
        assertEquals(tree.path("reason").asText(), d.reason());
        assertEquals(tree.path("canary").path("digest").asText(), d.canary().digest());
        assertEquals(tree.path("stable").path("digest").asText(), d.stable().digest());
        assertEquals("Deployment", d.target().orElseThrow().kind());
        assertEquals(tree.path("target").path("name").asText(), d.target().orElseThrow().name());
        assertEquals(tree.path("image").asText(), d.image());
        assertEquals(SignatureMode.REQUIRED, d.signature().mode());
        assertEquals("UNSIGNED", d.signature().status());
        assertFalse(d.signature().allowed());
        assertEquals(Instant.parse(tree.path("signature").path("checkedAt").asText()), d.signature().checkedAt());
        assertEquals(Instant.parse(tree.path("startedAt").asText()), d.startedAt());
        assertEquals(Instant.parse(tree.path("completedAt").asText()), d.completedAt());
        assertEquals(tree.path("measurements").asInt(), d.measurements());
        assertEquals(tree.path("metrics").size(), d.metrics().size());
        for (int i = 0; i < d.metrics().size(); i++) {
            JsonNode m = tree.path("metrics").get(i);
            MeasurementDocument.Metric r = d.metrics().get(i);
            assertEquals(m.path("name").asText(), r.name());
            assertEquals(m.path("kind").asText(), r.kind());
            assertEquals(m.path("critical").asBoolean(), r.critical());
            assertEquals(m.path("classification").asText(), r.classification().name());
            assertEquals(m.path("explanation").asText(), r.explanation());
            assertEquals(m.path("sequential"), r.detail().get("sequential"), "the sequential tests as written");
            assertEquals(m.path("canary"), r.detail().get("canary"));
        }
        // SignedPromotionTest's unsigned canary: the metrics would have promoted it, the signature policy aborted it
        assertTrue(d.reason().startsWith("Not promoted: the canary's image signature was not verified"), d.reason());
        assertEquals(List.of(Classification.PASS, Classification.PASS, Classification.PASS, Classification.PASS),
                d.metrics().stream().map(MeasurementDocument.Metric::classification).toList());
        assertNull(d.judgeVerdict());
        assertNull(d.decision());
    }

    @Test
    void documentsWithoutAJudgementKeepTheirAbsentFields() {
        VerdictDocument cancelled = VerdictCodec.read(json, v1("cancelled"));
        assertNull(cancelled.verdict());
        assertEquals(Phase.CANCELLED, cancelled.phase());
        assertTrue(cancelled.reason().startsWith("cancelled by event "), cancelled.reason());
        assertNull(cancelled.score(), "no score field at all");
        assertNull(cancelled.target());
        assertNull(cancelled.measurements());
        assertNull(cancelled.metrics());
        String written = VerdictCodec.write(json, cancelled);
        assertFalse(readTree(written).has("score"), written);
        assertFalse(readTree(written).has("metrics"), written);
        assertTrue(readTree(written).has("verdict"), "verdict: null stays, consumers test it: " + written);

        VerdictDocument unreadable = VerdictCodec.read(json, v1("unreadable-error"));
        assertEquals(Verdict.INCONCLUSIVE, unreadable.verdict());
        assertEquals(Phase.ERROR, unreadable.phase());
        assertNull(unreadable.score());
        assertEquals("sha256:" + "1".repeat(64), unreadable.canary().digest());
    }

    @Test
    void humanDecisionsReadWithTheDecisionAndTheOverruledVerdict() {
        VerdictDocument approved = VerdictCodec.read(json, v1("decision-approve"));
        assertEquals(Verdict.PROMOTE, approved.verdict());
        assertEquals(Phase.SUCCESSFUL, approved.phase());
        assertEquals(Verdict.INCONCLUSIVE, approved.judgeVerdict());
        assertEquals("APPROVE", approved.decision().action());
        assertEquals("alice", approved.decision().by());
        assertEquals("metrics dashboard looks fine, ticket OPS-17", approved.decision().reason());
        assertEquals(Optional.of(0.0), approved.score());
        assertEquals(Classification.NO_DATA, approved.metrics().get(0).classification());
        assertTrue(approved.metrics().get(0).detail().get("u").isNull(), "a null statistic stays null");

        VerdictDocument aborted = VerdictCodec.read(json, v1("decision-abort-running"));
        assertEquals(Verdict.ABORT, aborted.verdict());
        assertNull(aborted.judgeVerdict(), "it had no verdict to overrule");
        assertEquals(List.of(), aborted.metrics());
        assertEquals(0, aborted.measurements());
        assertEquals(Optional.empty(), aborted.score());
    }

    /** A field this version does not model (added by a later one, at any level) is written back as it was read. */
    @Test
    void fieldsThisVersionDoesNotModelSurviveARoundTrip() throws Exception {
        ObjectNode later = (ObjectNode) json.readTree(v1("decision-approve"));
        later.putObject("provenance").put("builder", "ci-7").putArray("steps").add(1).add(2);
        ((ObjectNode) later.get("canary")).put("tag", "v1.2.3");
        ((ObjectNode) later.get("decision")).put("ticket", "OPS-17");
        ((ObjectNode) later.get("metrics").get(0)).putObject("novel").put("x", 1.5);

        VerdictDocument d = VerdictCodec.read(json, json.writeValueAsString(later));
        assertEquals(later.get("provenance"), d.other().get("provenance"));
        assertEquals("v1.2.3", d.canary().other().get("tag").asText());
        assertEquals("OPS-17", d.decision().other().get("ticket").asText());

        ObjectNode expected = later.deepCopy();
        expected.put("version", 1);
        assertEquals(expected, json.readTree(VerdictCodec.write(json, d)));
        // and a person's decision on it keeps them too
        VerdictDocument decided = d.decided(Verdict.ABORT, Phase.FAILED, "changed my mind", null,
                new VerdictDocument.Decision("ABORT", "bob", Instant.parse("2026-12-02T19:00:00Z"), "changed my mind"));
        JsonNode written = json.readTree(VerdictCodec.write(json, decided));
        assertEquals(later.get("provenance"), written.get("provenance"));
        assertEquals("INCONCLUSIVE", written.path("judgeVerdict").asText(), "the judge's verdict stays the one overruled");
        assertEquals("bob", written.path("decision").path("by").asText());
        assertEquals(later.path("metrics").get(0).get("novel"), written.path("metrics").get(0).get("novel"));
    }

    @Test
    void aDocumentThisVersionCannotReadIsRefusedWithTheReason() {
        UnreadableDocumentException newer = assertThrows(UnreadableDocumentException.class,
                () -> VerdictCodec.read(json, v1("cancelled").replaceFirst("\\{", "{\"version\":2,")));
        assertTrue(newer.getMessage().contains("version 2"), newer.getMessage());
        UnreadableDocumentException garbage = assertThrows(UnreadableDocumentException.class,
                () -> VerdictCodec.read(json, "{\"analysisId\": [not json"));
        assertTrue(garbage.getMessage().startsWith("the verdict document is not JSON"), garbage.getMessage());
    }

    /** A store holding the old documents: the REST view and the integrations read them as before. */
    @Test
    void aStoreWrittenByTheEarlierCodeAnswersAsBefore() {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("sequential-abort-signed", "fixed-abort", "cancelled", "decision-approve")) {
            String doc = v1(name);
            JsonNode tree = readTree(doc);
            String id = UUID.randomUUID().toString();
            Phase phase = Phase.valueOf(tree.path("phase").asText());
            String verdict = tree.path("verdict").isNull() ? null : tree.path("verdict").asText();
            Instant at = Instant.parse(tree.path("completedAt").asText());
            // published already: the sweep must not send these again
            store.insertIfAbsent(AnalysisRecordBuilder.analysis().id(id).eventId("migration-" + id)
                    .deploymentId("d-" + name).service("migration-" + name).template(tree.path("template").asText())
                    .canaryDigest(tree.path("canary").path("digest").asText())
                    .stableDigest(tree.path("stable").path("digest").asText()).startedAt(at.minusSeconds(600))
                    .phase(phase).verdict(verdict).reason(tree.path("reason").asText()).verdictJson(doc).created(at)
                    .completedAt(at).publishedAt(at).build());
            ids.add(id);

            JsonNode view = readTree(given().get("/api/v1/analyses/" + id).then().statusCode(200).extract().asString());
            assertEquals(tree.has("metrics") ? tree.get("metrics") : json.nullNode(), view.get("metrics"), name);
            assertEquals(tree.get("signature"), view.get("signature"), name);
            assertEquals(tree.get("image"), view.get("image"), name);

            AnalysisRecord a = store.find(id).orElseThrow();
            IntegrationOutcome o = integrations.outcome(a);
            List<String> names = new ArrayList<>();
            List<String> classes = new ArrayList<>();
            tree.path("metrics").forEach(m -> {
                names.add(m.path("name").asText());
                classes.add(m.path("classification").asText());
            });
            assertEquals(names, o.metrics().stream().map(IntegrationOutcome.MetricSummary::name).toList(), name);
            assertEquals(classes, o.metrics().stream().map(m -> m.classification().name()).toList(),
                    name);
        }
        assertEquals(4, ids.size());
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
