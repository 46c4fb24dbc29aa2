package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The emulations of Argo's experiment controller and kayenta provider and of Kargo's verification args, on the shipped
 * files where they apply: they resolve exactly what the peers resolve and refuse what they do not emulate, so a flow
 * test cannot pass on a guess.
 */
class PeerEmulationTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String DIGEST = "sha256:" + "0a".repeat(32);

    @Test
    void experimentArgsAreResolvedAsTheExperimentControllerDoes() throws Exception {
        JsonNode rollout = YAML.readTree(Path.of("deploy/argo-rollouts/rollout-kayenta.yaml").toFile());
        JsonNode experiment = rollout.path("spec").path("strategy").path("canary").path("steps").get(0)
                .path("experiment");
        JsonNode args = ArgoAnalysisRun.experimentArgs(experiment.path("analyses").get(0).path("args"),
                Instant.parse("2026-12-02T10:00:00.750Z"), experiment.path("duration").asText(),
                Map.of("baseline", "6d9f8c7b54", "canary", "58c7b6d9f4"));
        // time.RFC3339 has whole seconds; finishedAt is availableAt + duration
        assertEquals("{\"name\":\"start-time\",\"value\":\"2026-12-02T10:00:00Z\"}", args.get(0).toString());
        assertEquals("2026-12-02T10:20:00Z", args.get(1).path("value").asText());
        assertEquals("6d9f8c7b54", args.get(2).path("value").asText());
        assertEquals("58c7b6d9f4", args.get(3).path("value").asText());

        AssertionError unknown = assertThrows(AssertionError.class, () -> ArgoAnalysisRun.experimentArgs(
                YAML.readTree("[{name: a, value: '{{templates.preview.podTemplateHash}}'}]"), Instant.EPOCH, "20m",
                Map.of("canary", "x")));
        assertTrue(unknown.getMessage().contains("failed to resolve {{templates.preview.podTemplateHash}}"));
        assertEquals(Duration.ofMinutes(90), ArgoAnalysisRun.goDuration("1h30m"));

        // the experiment's end: an analysis that outlives the templates decides it only when required
        JsonNode shipped = experiment.path("analyses").get(0);
        JsonNode optional = YAML.readTree("{name: kayenta, templateName: canary-judge-kayenta}");
        Instant available = Instant.parse("2026-12-02T10:00:00Z");
        Instant late = available.plus(Duration.ofMinutes(20)).plusSeconds(15);
        assertEquals("Inconclusive", ArgoAnalysisRun.experimentPhase(shipped, available, "20m", late, "Inconclusive"));
        assertEquals("Successful", ArgoAnalysisRun.experimentPhase(optional, available, "20m", late, "Inconclusive"));
        assertEquals("Failed", ArgoAnalysisRun.experimentPhase(optional, available, "20m",
                available.plus(Duration.ofMinutes(3)), "Failed"));
        assertThrows(AssertionError.class, () -> ArgoAnalysisRun.goDuration("1.5h"));
    }

    @Test
    void kayentaScoresAreClassifiedAsArgoDoes() {
        assertEquals("Successful", ArgoKayentaRun.evaluate(95, 95, 75));
        assertEquals("Inconclusive", ArgoKayentaRun.evaluate(94, 95, 75));
        assertEquals("Inconclusive", ArgoKayentaRun.evaluate(75, 95, 75));
        assertEquals("Failed", ArgoKayentaRun.evaluate(74, 95, 75));
    }

    @Test
    void kargoEvaluatesOnlyTheExpressionsTheShippedStageUses() throws Exception {
        List<KargoVerificationRun.Image> freight = List.of(
                new KargoVerificationRun.Image("ghcr.io/example/checkout", "v1.4.0", DIGEST));
        assertEquals(DIGEST, KargoVerificationRun.evaluate("${{ imageFrom(\"ghcr.io/example/checkout\").Digest }}",
                freight));
        assertEquals("at " + DIGEST, KargoVerificationRun.evaluate(
                "at ${{imageFrom(\"ghcr.io/example/checkout\").Digest}}", freight));
        // no expression: the literal, never coerced to a number
        assertEquals("42", KargoVerificationRun.evaluate("42", freight));
        for (String other : List.of("${{ imageFrom(\"ghcr.io/example/checkout\").Tag }}", "${{ vars.image }}",
                "${% imageFrom(\"ghcr.io/example/checkout\").Digest %}")) {
            assertThrows(AssertionError.class, () -> KargoVerificationRun.evaluate(other, freight), other);
        }
        // an evaluated value Kargo would coerce to a number is not a string arg
        AssertionError number = assertThrows(AssertionError.class, () -> KargoVerificationRun.evaluate(
                "${{ imageFrom(\"r\").Digest }}", List.of(new KargoVerificationRun.Image("r", "1", "12345"))));
        assertTrue(number.getMessage().contains("non-string"), number.getMessage());

        JsonNode stage = YAML.readTree(Path.of("deploy/kargo/stage.yaml").toFile());
        JsonNode template = YAML.readTree(Path.of("deploy/kargo/analysistemplate.yaml").toFile());
        JsonNode merged = KargoVerificationRun.args(stage, template.path("spec").path("args"), freight);
        assertEquals("[{\"name\":\"namespace\",\"value\":\"shop\"},{\"name\":\"service\",\"value\":\"checkout\"},"
                + "{\"name\":\"digest\",\"value\":\"" + DIGEST + "\"},{\"name\":\"api-key\",\"valueFrom\":"
                + "{\"secretKeyRef\":{\"name\":\"canary-judge-api-key\",\"key\":\"api-key\"}}}]", merged.toString());
        // an arg the Stage does not give and the template has no value for: Kargo creates no run
        JsonNode bare = YAML.readTree("spec: {verification: {args: [{name: extra, value: x}]}}");
        AssertionError unresolved = assertThrows(AssertionError.class, () -> KargoVerificationRun.args(bare,
                template.path("spec").path("args"), freight));
        assertTrue(unresolved.getMessage().contains("unresolved argument \"namespace\""), unresolved.getMessage());
    }
}
