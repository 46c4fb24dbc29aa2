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
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged service in one consumer group on a shared PostgreSQL share the analyses by
 * partition; one is killed with SIGKILL mid-analysis and the other takes its analyses over after the rebalance.
 * Every event gets exactly one verdict.
 */
class FailoverIT {
    @Test
    void survivingReplicaFinishesTheAnalysesOfAKilledOne() throws Exception {
        Path dir = Files.createTempDirectory("failover-it");
        List<SyntheticWorkload.Service> services = VerdictCollector.services(16);
        try (PostgresServer pg = PostgresServer.start();
             EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             LiveMetricsServer live = LiveMetricsServer.start(services);
             PrometheusServer prometheus = PrometheusServer.scraping(dir.resolve("prometheus"), live.target());
             KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            Properties admin = new Properties();
            admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic("deployments", 4, (short) 1))).all().get();
            }
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_DB_URL", pg.jdbcUrl(), "CANARY_DB_USER", pg.user(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates,src/test/resources/test-templates",
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s",
                    "CANARY_ANALYSIS_SWEEP_INTERVAL", "2s");
            // a dead member leaves the group after 6 s (the broker's minimum) instead of 45 s
            List<String> fastGroup = List.of("-Dmp.messaging.incoming.deployments.session.timeout.ms=6000",
                    "-Dmp.messaging.incoming.deployments.heartbeat.interval.ms=1000");
            ServiceProcess first = ServiceProcess.start(dir.resolve("replica-1.log"), env, fastGroup);
            try (ServiceProcess second = ServiceProcess.start(dir.resolve("replica-2.log"), env, fastGroup)) {
                Thread.sleep(8000); // both replicas joined: partitions split between them
                Map<String, Boolean> events = new HashMap<>();
                for (int i = 0; i < 16; i++) {
                    String id = "failover-" + i;
                    events.put(id, i % 2 == 0);
                    client.send("deployments", "shop/svc-" + i, DemoScenario.event(id, "svc-" + i, Instant.now(), "live-fast", null));
                }
                Thread.sleep(9000);
                int before = measurements(pg);
                first.kill9();
                VerdictCollector.Collected collected = VerdictCollector.collect(client, events.keySet(), Duration.ofSeconds(120));
                Map<String, String> verdicts = collected.verdicts();
                Map<String, Set<String>> cloudEventIds = collected.cloudEventIds();
                assertTrue(before > 0);
                assertEquals(events.keySet(), verdicts.keySet(), "every event got a verdict; logs in " + dir);
                cloudEventIds.forEach((id, ids) -> assertEquals(1, ids.size(), id + " " + ids));
                events.forEach((id, isBad) -> assertEquals(isBad ? "ABORT" : "PROMOTE", verdicts.get(id), id));
                String log = Files.readString(dir.resolve("replica-2.log"));
                assertTrue(log.contains("resumed at step="), "the survivor resumed the killed replica's analyses");
            } finally {
                first.kill9();
            }
        }
    }

    private static int measurements(PostgresServer pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM measurement")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
