package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Kargo verification of the prod Stage against the packaged service with real API keys, through the shipped
 * deploy/kargo/stage.yaml and analysistemplate.yaml: Kargo evaluates the Stage's verification args for the promoted
 * Freight ({@link KargoVerificationRun}: {@code imageFrom("ghcr.io/example/checkout").Digest}), puts them over the
 * template's args, Argo's analysis controller adds the key from the Secret as X-Api-Key and calls the web provider
 * every interval until a limit ends the metric ({@link ArgoAnalysisRun}). The deploy tooling's "canary started" event
 * for the Freight's digest arrives after verification has begun (its first answer is PENDING, an inconclusive
 * measurement). A real broker; a real Prometheus backfilled with {@link DemoScenario}'s workload: the first Freight's
 * canary is checkout's worse one, the next Freight's canary pods behave like cart's healthy ones. Deviations from a
 * cluster: the canaries started hours ago (canary-judge analyses the recorded window at once), and the emulated
 * interval is 3 s instead of 1m. Reads are protected here, so the Secret's key matters.
 */
class KargoVerificationFlowIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String READER_KEY = "kargo-reader-key-0123456789abcd";
    private static final String DEPLOYER_KEY = "deployer-key-0123456789abcdef";
    private static final String HOST = "http://canary-judge.canary-judge.svc";
    private static final String REPO = "ghcr.io/example/checkout";
    private static final String WORSE = "sha256:3e1f5a7c9b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a";
    private static final String HEALTHY = "sha256:9a7c5e3b1d0f2e4c6a8b0d2f4e6c8a0b2d4f6e8c0a2b4d6f8e0c2a4b6d8f0e2c";

    @Test
    void theWorseFreightFailsVerificationAndTheHealthyOneIsVerified() throws Exception {
        JsonNode stage = YAML.readTree(Path.of("deploy/kargo/stage.yaml").toFile());
        JsonNode template = YAML.readTree(Path.of("deploy/kargo/analysistemplate.yaml").toFile());
        assertEquals(template.path("metadata").path("name").asText(),
                stage.path("spec").path("verification").path("analysisTemplates").get(0).path("name").asText());
        JsonNode metric = template.path("spec").path("metrics").get(0);
        // a Freight without the image the Stage names cannot be verified: Kargo would not create the run
        AssertionError noImage = assertThrows(AssertionError.class, () -> KargoVerificationRun.args(stage,
                template.path("spec").path("args"), List.of(new KargoVerificationRun.Image("ghcr.io/example/cart",
                        "v2.0.0", WORSE))));
        assertTrue(noImage.getMessage().contains("no image from " + REPO), noImage.getMessage());

        Path dir = Files.createTempDirectory("kargo-verification-it");
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                     DemoScenario.workload(startedAt).openMetrics())) {
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates",
                    "CANARY_AUTH_API_KEYS", "kargo:" + READER_KEY + ":reader,ci:" + DEPLOYER_KEY + ":deployer",
                    "CANARY_AUTH_PROTECT_READS", "true",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                String log = " (service log " + dir.resolve("service.log") + ")";
                HttpClient http = HttpClient.newHttpClient();
                // without the Secret's key the read is refused
                assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/kargo/verdict"
                        + "?namespace=shop&service=checkout&digest=" + WORSE)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());

                Map<String, String> worse = args(stage, template, WORSE);
                assertEquals(Map.of("namespace", "shop", "service", "checkout", "digest", WORSE, "api-key", READER_KEY),
                        worse);
                AtomicReference<String> posted = new AtomicReference<>();
                ArgoAnalysisRun.End failed = ArgoAnalysisRun.run(metric, worse, HOST, service.url(),
                        Duration.ofSeconds(3), (i, r) -> startOnFirstPending(http, service, i, r, posted,
                                DemoScenario.event("kargo-worse", DemoScenario.BAD_SERVICE, startedAt)
                                        .replace("c".repeat(64), WORSE.substring(7))));
                assertEquals("201/202", posted.get(), "the canary event was taken");
                assertEquals("Failed", failed.phase(), failed + log);
                assertEquals("ABORT", failed.last().path("verdict").asText(), failed + log);

                // the next Freight of checkout: its canary pods behave like cart's healthy ones
                posted.set(null);
                String healthyEvent = DemoScenario.event("kargo-healthy", DemoScenario.GOOD_SERVICE, startedAt)
                        .replaceFirst("\"service\":\"cart\"", "\"service\":\"checkout\"")
                        .replace("\"cart-42\"", "\"checkout-43\"").replace("c".repeat(64), HEALTHY.substring(7));
                ArgoAnalysisRun.End verified = ArgoAnalysisRun.run(metric, args(stage, template, HEALTHY), HOST,
                        service.url(), Duration.ofSeconds(3),
                        (i, r) -> startOnFirstPending(http, service, i, r, posted, healthyEvent));
                assertEquals("201/202", posted.get(), "the canary event was taken");
                assertEquals("Successful", verified.phase(), verified + log);
                assertEquals("PROMOTE", verified.last().path("verdict").asText(), verified + log);
                assertTrue(verified.measurements() < metric.path("count").asInt(),
                        "consecutiveSuccessLimit ends verification at the first PROMOTE: " + verified.measurements());
            }
        }
    }

    /** The AnalysisRun's args for a Freight carrying checkout's image at {@code digest}. */
    private static Map<String, String> args(JsonNode stage, JsonNode template, String digest) {
        JsonNode merged = KargoVerificationRun.args(stage, template.path("spec").path("args"),
                List.of(new KargoVerificationRun.Image(REPO, "v1.4.0", digest)));
        return ArgoAnalysisRun.args(merged, YAML.createArrayNode(), Map.of(), Map.of(),
                Map.of("canary-judge-api-key/api-key", READER_KEY));
    }

    /** The deploy tooling's canary event, sent once verification has asked and heard PENDING. */
    private static void startOnFirstPending(HttpClient http, ServiceProcess service, int measurement, JsonNode result,
                                            AtomicReference<String> posted, String event) {
        if (posted.get() != null) {
            return;
        }
        assertEquals(1, measurement);
        assertEquals("PENDING", result.path("verdict").asText(), result.toString());
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/analyses"))
                    .header("Authorization", "Bearer " + DEPLOYER_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
            posted.set(r.statusCode() == 201 || r.statusCode() == 202 ? "201/202" : r.statusCode() + " " + r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
