package io.canaryjudge.analysis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.LiveMetricsServer;
import io.canaryjudge.testing.PostgresServer;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.SyntheticWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Infrastructure faults against the packaged service: PostgreSQL down at start-up (unready, no crash loop),
 * PostgreSQL down in the middle of analyses, and a Kafka broker restart. Every event still gets exactly one
 * verdict and the process never exits.
 */
class FaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void databaseDownAtStartAndMidRunAndBrokerRestartLoseNothing() throws Exception {
        Path dir = Files.createTempDirectory("faults-it");
        List<SyntheticWorkload.Service> services = new ArrayList<>();
        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.04, 0.35, 200_000_000L, 4_000_000L, 0.5);
        SyntheticWorkload.Profile bad = new SyntheticWorkload.Profile(20, 0.10, 0.12, 0.35, 260_000_000L, 4_000_000L, 0.9);
        // a healthy canary has no errors at all, so that 12 healthy canaries are not 12 chances of a 5 % false
        // alarm: the test is about losing nothing, not about the false-alarm rate (see the sequential simulation)
        SyntheticWorkload.Profile good = new SyntheticWorkload.Profile(20, 0.0, 0.04, 0.35, 200_000_000L, 4_000_000L, 0.5);
        for (int i = 0; i < 12; i++) {
            services.add(new SyntheticWorkload.Service("shop", "svc-" + i, stable, i % 2 == 0 ? bad : good));
        }
        PostgresServer pg = PostgresServer.start();
        pg.stop(); // down before the service starts
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             LiveMetricsServer live = LiveMetricsServer.start(services);
             PrometheusServer prometheus = PrometheusServer.scraping(dir.resolve("prometheus"), live.target());
             KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_DB_URL", pg.jdbcUrl(), "CANARY_DB_USER", pg.user(),
                    "CANARY_DB_MIGRATION_RETRY", "1s",
                    "CANARY_TEMPLATES_DIR", "analysis-templates,src/test/resources/test-templates",
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s",
                    "CANARY_ANALYSIS_RETRY_DELAY", "2s",
                    "CANARY_ANALYSIS_SWEEP_INTERVAL", "2s");
            Map<String, Boolean> events = new LinkedHashMap<>();
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env,
                    List.of(ServiceProcess.LIVE_ONLY))) {
                // 1. database down at start-up: alive, not ready, no crash loop; events wait in Kafka
                send(client, events, 0, 4);
                Thread.sleep(5000);
                assertTrue(service.alive(), "no crash loop");
                assertEquals(503, service.status("/q/health/ready"));
                assertEquals(200, service.status("/q/health/live"));
                pg.restart();
                await().atMost(Duration.ofSeconds(60)).until(() -> service.status("/q/health/ready") == 200);

                // 2. database down in the middle of analyses
                send(client, events, 4, 8);
                Thread.sleep(7000);
                pg.stop();
                Thread.sleep(8000);
                assertTrue(service.alive());
                pg.restart();

                // 3. Kafka broker restart in the middle of analyses
                send(client, events, 8, 12);
                Thread.sleep(5000);
                kafka.stop();
                Thread.sleep(8000);
                kafka.restart();
                assertTrue(service.alive());

                Map<String, Set<String>> cloudEventIds = new HashMap<>();
                Map<String, String> verdicts = new HashMap<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (System.nanoTime() < deadline && verdicts.size() < events.size()) {
                    for (ConsumerRecord<String, byte[]> r : client.readAll("canary-verdicts", Duration.ofSeconds(2))) {
                        JsonNode v = JSON.readTree(r.value());
                        String id = v.path("eventId").asText();
                        if (events.containsKey(id)) {
                            cloudEventIds.computeIfAbsent(id, k -> new HashSet<>()).add(KafkaTestClient.header(r, "ce_id"));
                            verdicts.put(id, v.path("verdict").asText());
                        }
                    }
                }
                assertEquals(events.keySet(), verdicts.keySet(), "every event got a verdict; log " + dir.resolve("service.log"));
                cloudEventIds.forEach((id, ids) -> assertEquals(1, ids.size(), id + " " + ids));
                events.forEach((id, isBad) -> assertEquals(isBad ? "ABORT" : "PROMOTE", verdicts.get(id), id));
                assertTrue(service.alive());
            }
        } finally {
            pg.stop();
        }
    }

    private static void send(KafkaTestClient client, Map<String, Boolean> events, int from, int to) {
        for (int i = from; i < to; i++) {
            String id = "fault-" + i;
            events.put(id, i % 2 == 0);
            client.send("deployments", "shop/svc-" + i, DemoScenario.event(id, "svc-" + i, Instant.now(), "live-fast", null));
        }
    }
}
