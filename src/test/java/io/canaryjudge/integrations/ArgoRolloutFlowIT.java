package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.LiveMetricsServer;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.SyntheticWorkload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A whole Argo Rollouts canary against the packaged service, with the shipped deploy/argo-rollouts/rollout.yaml and
 * analysistemplate.yaml resolved as Argo's controller resolves them ({@link ArgoAnalysisRun}): the Rollout's analysis
 * step passes the pod-template hashes and its own name and namespace, the API key comes from a Secret into the
 * X-Api-Key header, and the web provider is called until a limit ends the metric. Live synthetic traffic carries the
 * rollouts_pod_template_hash label Prometheus' Kubernetes discovery would give the pods; a real broker, a real
 * Prometheus scraping it. Two deviations from a cluster, both test speed: the step also passes {@code template:
 * live-fast} (6 measurements 4 s apart; a Rollout may override any template default) and the emulated interval is
 * 2 s instead of 1m.
 */
class ArgoRolloutFlowIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String KEY = "argo-key-0123456789abcdef";
    private static final String PERSON = "person-key-0123456789abcdef";
    private static final String HOST = "http://canary-judge.canary-judge.svc";

    @Test
    void promoteAbortAndAPersonsDecisionThroughTheShippedManifests() throws Exception {
        JsonNode template = YAML.readTree(Path.of("deploy/argo-rollouts/analysistemplate.yaml").toFile());
        JsonNode rollout = YAML.readTree(Path.of("deploy/argo-rollouts/rollout.yaml").toFile());
        JsonNode step = null;
        for (JsonNode s : rollout.path("spec").path("strategy").path("canary").path("steps")) {
            step = s.has("analysis") ? s.path("analysis") : step;
        }
        assertEquals("canary-judge", step.path("templates").get(0).path("templateName").asText());
        List<JsonNode> stepArgs = new ArrayList<>();
        step.path("args").forEach(stepArgs::add);
        stepArgs.add(YAML.createObjectNode().put("name", "template").put("value", "live-fast"));
        JsonNode metric = template.path("spec").path("metrics").get(0);

        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.04, 0.35, 200_000_000L,
                4_000_000L, 0.008);
        SyntheticWorkload.Profile bad = new SyntheticWorkload.Profile(20, 0.10, 0.12, 0.35, 260_000_000L, 4_000_000L,
                0.0144);
        SyntheticWorkload.Profile good = new SyntheticWorkload.Profile(20, 0.0, 0.04, 0.35, 200_000_000L, 4_000_000L,
                0.008);
        SyntheticWorkload.Profile idle = new SyntheticWorkload.Profile(0, 0, 0.04, 0.35, 200_000_000L, 4_000_000L,
                0.008);
        List<SyntheticWorkload.Service> services = List.of(
                new SyntheticWorkload.Service("shop", "checkout", stable, bad),
                new SyntheticWorkload.Service("shop", "cart", stable, good),
                new SyntheticWorkload.Service("shop", "search", stable, idle));
        Path dir = Files.createTempDirectory("argo-flow-it");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             LiveMetricsServer live = LiveMetricsServer.start(services);
             PrometheusServer prometheus = PrometheusServer.scraping(dir.resolve("prometheus"), live.target())) {
            Thread.sleep(3000); // a few scrapes before the first window closes
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates,src/test/resources/test-templates",
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s",
                    "CANARY_AUTH_API_KEYS", "argo:" + KEY + ":deployer,person:" + PERSON + ":approver",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                // the header matters: without the Secret's key the call is refused
                assertEquals(401, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
                        + "/api/v1/argo/verdict?namespace=shop&rollout=cart&canaryHash=a&stableHash=b")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());

                ArgoAnalysisRun.End aborted = ArgoAnalysisRun.run(metric, args(template, stepArgs, "checkout"), HOST,
                        service.url(), Duration.ofSeconds(2), (i, r) -> { });
                assertEquals("Failed", aborted.phase(), aborted.toString());
                assertEquals("ABORT", aborted.last().path("verdict").asText());

                ArgoAnalysisRun.End promoted = ArgoAnalysisRun.run(metric, args(template, stepArgs, "cart"), HOST,
                        service.url(), Duration.ofSeconds(2), (i, r) -> { });
                assertEquals("Successful", promoted.phase(), promoted.toString());
                assertEquals("PROMOTE", promoted.last().path("verdict").asText());
                assertTrue(promoted.measurements() < metric.path("count").asInt(),
                        "consecutiveSuccessLimit ends the step at the first PROMOTE: " + promoted.measurements());

                // no canary traffic: canary-judge ends INCONCLUSIVE, Argo keeps measuring Inconclusive, a person
                // approves in canary-judge, and the next measurement is Successful
                AtomicReference<String> decided = new AtomicReference<>();
                ArgoAnalysisRun.End approved = ArgoAnalysisRun.run(metric, args(template, stepArgs, "search"), HOST,
                        service.url(), Duration.ofSeconds(2), (i, r) -> {
                            if ("INCONCLUSIVE".equals(r.path("verdict").asText()) && decided.get() == null) {
                                decided.set(approve(service, r.path("analysisId").asText()));
                            }
                        });
                assertEquals("200", decided.get(), "the approval was accepted");
                assertEquals("Successful", approved.phase(), approved.toString());
                assertEquals("PROMOTE", approved.last().path("verdict").asText());
            }
        }
    }

    private static Map<String, String> args(JsonNode template, List<JsonNode> stepArgs, String rollout) {
        return ArgoAnalysisRun.args(template.path("spec").path("args"), YAML.valueToTree(stepArgs),
                Map.of("metadata.name", rollout, "metadata.namespace", "shop"),
                Map.of("Latest", LiveMetricsServer.podTemplateHash(rollout, "canary"),
                        "Stable", LiveMetricsServer.podTemplateHash(rollout, "stable")),
                Map.of("canary-judge-api-key/api-key", KEY));
    }

    private static String approve(ServiceProcess service, String analysisId) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
                    + "/api/v1/analyses/" + analysisId + "/decisions")).header("Authorization", "Bearer " + PERSON)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"approve\",\"reason\":\"no traffic on the "
                            + "canary by design: checked by hand\"}")).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? "200" : r.statusCode() + " " + r.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
