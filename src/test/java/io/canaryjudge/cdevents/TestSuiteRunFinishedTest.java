package io.canaryjudge.cdevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.CdEventSchemas;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.Phase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestSuiteRunFinishedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANARY = "sha256:" + "c".repeat(64);
    private static final String STABLE = "sha256:" + "b".repeat(64);
    private static final Instant DONE = Instant.parse("2026-11-26T01:10:00Z");

    static AnalysisRecord analysis(String verdict, Phase phase, String environment) {
        Instant start = Instant.parse("2026-11-26T01:00:00Z");
        return AnalysisRecordBuilder.analysis().id("a-1").eventId("evt-1").deploymentId("checkout-42")
                .environment(environment).canaryDigest(CANARY).stableDigest(STABLE)
                .eventJson("{\"image\":\"ghcr.io/acme/checkout\"}").startedAt(start).phase(phase).verdict(verdict)
                .score(verdict == null ? null : 0.5).reason("because").verdictJson("{}").createdAt(start)
                .updatedAt(DONE).completedAt(DONE).build();
    }

    @Test
    void everyOutcomeIsAValidTestSuiteRunFinished() {
        record Case(String verdict, Phase phase, String outcome) {
        }
        for (Case c : List.of(new Case("PROMOTE", Phase.SUCCESSFUL, "success"), new Case("ABORT", Phase.FAILED, "failure"),
                new Case("INCONCLUSIVE", Phase.INCONCLUSIVE, "error"), new Case("INCONCLUSIVE", Phase.ERROR, "error"),
                new Case(null, Phase.CANCELLED, "cancel"))) {
            JsonNode e = TestSuiteRunFinished.json(JSON, analysis(c.verdict(), c.phase(), null), "testsuiterun-a-1");
            assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", e), e.toPrettyString());
            assertEquals(c.outcome(), e.at("/subject/content/outcome").asText(), c.toString());
        }
    }

    @Test
    void carriesTheAnalysisTheVerdictAndBothArtifacts() {
        JsonNode e = TestSuiteRunFinished.json(JSON, analysis("ABORT", Phase.FAILED, "prod"), "testsuiterun-a-1");
        assertEquals("dev.cdevents.testsuiterun.finished.0.3.0", e.at("/context/type").asText());
        assertEquals("0.5.1", e.at("/context/specversion").asText());
        assertEquals("testsuiterun-a-1", e.at("/context/id").asText());
        assertEquals(DONE.toString(), e.at("/context/timestamp").asText());
        assertEquals("a-1", e.at("/subject/id").asText());
        assertEquals("prod", e.at("/subject/content/environment/id").asText());
        assertEquals("http-golden-signals", e.at("/subject/content/testSuite/id").asText());
        assertEquals("because", e.at("/subject/content/reason").asText());
        assertEquals("ABORT", e.at("/customData/verdict").asText());
        assertEquals("FAILED", e.at("/customData/phase").asText());
        assertEquals("pkg:oci/checkout@sha256%3A" + "c".repeat(64) + "?repository_url=ghcr.io/acme/checkout",
                e.at("/customData/artifactId").asText());
        assertEquals("pkg:oci/checkout@sha256%3A" + "b".repeat(64) + "?repository_url=ghcr.io/acme/checkout",
                e.at("/customData/stableArtifactId").asText());
    }

    @Test
    void idsAreStablePerVerdictAndNewPerDecision() {
        assertEquals("testsuiterun-a-1", TestSuiteRunFinished.id("a-1", 0));
        assertEquals("testsuiterun-a-1-decision-2", TestSuiteRunFinished.id("a-1", 2));
    }

    /** The validator bites: what the spec does not allow is reported, so a passing validation means something. */
    @Test
    void theSchemaRejectsTamperedEvents() {
        ObjectNode badOutcome = TestSuiteRunFinished.json(JSON, analysis("PROMOTE", Phase.SUCCESSFUL, null), "t-1");
        ((ObjectNode) badOutcome.at("/subject/content")).put("outcome", "pass");
        assertFalse(CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", badOutcome).isEmpty());

        ObjectNode oldType = TestSuiteRunFinished.json(JSON, analysis("PROMOTE", Phase.SUCCESSFUL, null), "t-1");
        ((ObjectNode) oldType.get("context")).put("type", "dev.cdevents.testsuiterun.finished.0.2.0");
        assertFalse(CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", oldType).isEmpty());

        ObjectNode noEnvironment = TestSuiteRunFinished.json(JSON, analysis("ABORT", Phase.FAILED, null), "t-1");
        ((ObjectNode) noEnvironment.at("/subject/content")).remove("environment");
        assertFalse(CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", noEnvironment).isEmpty());

        ObjectNode extra = TestSuiteRunFinished.json(JSON, analysis("ABORT", Phase.FAILED, null), "t-1");
        ((ObjectNode) extra.get("subject")).put("verdict", "ABORT");
        assertFalse(CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", extra).isEmpty());
    }

    @Test
    void theSchemaRejectsATamperedServiceDeployed() throws Exception {
        ObjectNode noArtifact = ServiceEventTranslatorTest.specExample("v0.5.1");
        ((ObjectNode) noArtifact.at("/subject/content")).remove("artifactId");
        assertFalse(CdEventSchemas.validate("v0.5.1", "servicedeployed", noArtifact).isEmpty());
        ObjectNode v04 = ServiceEventTranslatorTest.specExample("v0.4.1");
        assertFalse(CdEventSchemas.validate("v0.5.1", "servicedeployed", v04).isEmpty(),
                "a v0.4 event (context.version, 0.2.0 type) is not a v0.5 one");
    }
}
