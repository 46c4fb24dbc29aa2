package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sidecar mode as deploy/sidecar configures it: the packaged service beside a real Prometheus and no Kafka at all
 * (its bootstrap address answers nothing), every analysis local (CANARY_ANALYSIS_OWNERSHIP=all), HTTP on 127.0.0.1.
 * The Argo web provider's calls start and finish analyses, and the pod is ready without a broker.
 */
class SidecarIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void runsEveryAnalysisItIsAskedForWithoutKafka() throws Exception {
        Path dir = Files.createTempDirectory("sidecar-it");
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                DemoScenario.workload(startedAt).openMetrics())) {
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + EmbeddedKafka.freePort(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_ANALYSIS_OWNERSHIP", "all",
                    "QUARKUS_HTTP_HOST", "127.0.0.1",
                    "CANARY_TEMPLATES_DIR", "analysis-templates",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                assertEquals(200, service.status("/q/health/ready"), "ready without a broker");
                HttpClient http = HttpClient.newHttpClient();
                assertEquals("ABORT", await(http, service, "checkout", startedAt), "log " + dir.resolve("service.log"));
                assertEquals("PROMOTE", await(http, service, "cart", startedAt), "log " + dir.resolve("service.log"));
                assertEquals(503, service.status("/q/health/well"), "the missing broker shows as wellness");
            }
        }
    }

    /** Calls the web provider as Argo does, once a second, until the verdict is no longer PENDING. */
    private static String await(HttpClient http, ServiceProcess service, String svc, Instant startedAt) throws Exception {
        String url = service.url() + "/api/v1/argo/verdict?namespace=shop&rollout=" + svc + "-sidecar&service=" + svc
                + "&canaryHash=c1&stableHash=s1&canaryLabels=namespace%3Dshop,service%3D" + svc + ",track%3Dcanary"
                + "&stableLabels=namespace%3Dshop,service%3D" + svc + ",track%3Dstable&startedAt=" + startedAt;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode o = JSON.readTree(r.body());
            if (!"PENDING".equals(o.path("verdict").asText())) {
                return o.path("verdict").asText();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(svc + " stayed PENDING");
    }
}
