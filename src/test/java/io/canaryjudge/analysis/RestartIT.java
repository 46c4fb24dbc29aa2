package io.canaryjudge.analysis;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Process-level durability: the packaged service on a real broker, a real Prometheus scraping live synthetic
 * traffic and a real PostgreSQL; killed with SIGKILL in the middle of its analyses while more events arrive;
 * restarted. Every event gets exactly one verdict; measurements taken before the kill are kept.
 */
class RestartIT {
    @Test
    void killNineMidAnalysisLosesNothingAndDuplicatesNothing() throws Exception {
        Path dir = Files.createTempDirectory("restart-it");
        List<SyntheticWorkload.Service> services = VerdictCollector.services(24);
        try (PostgresServer pg = PostgresServer.start();
             EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             LiveMetricsServer live = LiveMetricsServer.start(services);
             PrometheusServer prometheus = PrometheusServer.scraping(dir.resolve("prometheus"), live.target());
             KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            Thread.sleep(3000); // a few scrapes before the first window closes
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_DB_URL", pg.jdbcUrl(), "CANARY_DB_USER", pg.user(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates,src/test/resources/test-templates",
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s");
            Path log = dir.resolve("service.log");
            Map<String, Boolean> events = new HashMap<>(); // event id -> bad canary
            ServiceProcess first = ServiceProcess.start(log, env);
            for (int i = 0; i < 16; i++) {
                String id = "restart-" + i;
                events.put(id, i % 2 == 0);
                client.send("deployments", "shop/svc-" + i, DemoScenario.event(id, "svc-" + i, Instant.now(), "live-fast", null)
                        .replace("\"service\":\"svc-" + i + "\",\"track\"", "\"service\":\"svc-" + i + "\",\"track\""));
            }
            Thread.sleep(10_000); // two or three measurements each
            first.kill9();
            for (int i = 16; i < 24; i++) { // events that arrive while no instance runs
                String id = "restart-" + i;
                events.put(id, i % 2 == 0);
                client.send("deployments", "shop/svc-" + i, DemoScenario.event(id, "svc-" + i, Instant.now(), "live-fast", null));
            }
            int before = measurementCount(pg);
            assertTrue(before > 0, "measurements were stored before the kill");
            try (ServiceProcess second = ServiceProcess.start(log, env)) {
                VerdictCollector.Collected collected = VerdictCollector.collect(client, events.keySet(), Duration.ofSeconds(120));
                Map<String, String> verdicts = collected.verdicts();
                Map<String, Set<String>> cloudEventIds = collected.cloudEventIds();
                assertEquals(events.keySet(), verdicts.keySet(), "every event got a verdict; log " + log);
                cloudEventIds.forEach((id, ids) -> assertEquals(1, ids.size(), "one verdict per event: " + id + " " + ids));
                events.forEach((id, isBad) -> assertEquals(isBad ? "ABORT" : "PROMOTE", verdicts.get(id), id));
                assertTrue(measurementCount(pg) >= before, "measurements taken before the kill are kept");
                assertContiguousMeasurements(pg);
            }
        }
    }

    private static int measurementCount(PostgresServer pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM measurement")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void assertContiguousMeasurements(PostgresServer pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             PreparedStatement ps = c.prepareStatement("SELECT a.event_id, COUNT(m.seq), MIN(m.seq), MAX(m.seq) "
                     + "FROM analysis a JOIN measurement m ON m.analysis_id = a.id GROUP BY a.event_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                assertEquals(1, rs.getInt(3), rs.getString(1));
                assertEquals(rs.getInt(2), rs.getInt(4), "no gap and no duplicate in the measurements of " + rs.getString(1));
            }
        }
    }
}
