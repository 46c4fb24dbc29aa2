package io.canaryjudge.analysis;

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
 * A replica that starts while Kafka is down (no partition is ever assigned to it) still runs analyses: after
 * {@code kafka-down-after} it runs on store leases alone, so an analysis started over REST ends with its verdict
 * (stored; published once Kafka is back). Before leases, ownership came only from Kafka's assignment and such an
 * analysis stayed PENDING.
 */
class KafkaDownIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void analysesRunOnLeasesWhileKafkaIsDown() throws Exception {
        Path dir = Files.createTempDirectory("kafka-down-it");
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                DemoScenario.workload(startedAt).openMetrics())) {
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + EmbeddedKafka.freePort(), // nothing answers there
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_ANALYSIS_KAFKA_DOWN_AFTER", "3s",
                    "CANARY_ANALYSIS_SWEEP_INTERVAL", "1s",
                    "CANARY_AUTH_MODE", "open",
                    "CANARY_TEMPLATES_DIR", "analysis-templates",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                HttpClient http = HttpClient.newHttpClient();
                String bad = start(http, service, DemoScenario.event("evt-down-bad", DemoScenario.BAD_SERVICE, startedAt));
                String good = start(http, service, DemoScenario.event("evt-down-good", DemoScenario.GOOD_SERVICE,
                        startedAt));
                assertEquals("ABORT", await(http, service, bad), "log " + dir.resolve("service.log"));
                assertEquals("PROMOTE", await(http, service, good), "log " + dir.resolve("service.log"));
                String log = Files.readString(dir.resolve("service.log"));
                assertTrue(log.contains("running analyses on store leases alone"), "log " + dir.resolve("service.log"));
            }
        }
    }

    private static String start(HttpClient http, ServiceProcess service, String event) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/analyses"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** The analysis' verdict, once it has one (at most 90 s). */
    private static String await(HttpClient http, ServiceProcess service, String id) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        JsonNode a = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/analyses/"
                    + id)).build(), HttpResponse.BodyHandlers.ofString());
            a = JSON.readTree(r.body());
            if (a.hasNonNull("verdict") && !a.path("verdict").asText().isEmpty()) {
                return a.path("verdict").asText();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no verdict: " + a);
    }
}
