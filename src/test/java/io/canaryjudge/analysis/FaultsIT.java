package io.canaryjudge.analysis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.LiveMetricsServer;
import io.canaryjudge.testing.PostgresServer;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.SyntheticWorkload;
import io.canaryjudge.testing.VerdictCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Infrastructure faults against the packaged service: PostgreSQL down at start-up (unready, no crash loop),
 * PostgreSQL down in the middle of analyses, and a Kafka broker restart. Every event still gets exactly one
 * verdict and the process never exits.
 */
class FaultsIT {
    @Test
    void databaseDownAtStartAndMidRunAndBrokerRestartLoseNothing() throws Exception {
        Path dir = Files.createTempDirectory("faults-it");
        List<SyntheticWorkload.Service> services = VerdictCollector.services(12);
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

                VerdictCollector.Collected collected = VerdictCollector.collect(client, events.keySet(), Duration.ofSeconds(180));
                Map<String, String> verdicts = collected.verdicts();
                Map<String, Set<String>> cloudEventIds = collected.cloudEventIds();
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
