package io.canaryjudge.analysis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import io.canaryjudge.testing.VerdictCollector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A Kafka outage longer than the producer's delivery timeout while verdicts fall due (issue #20, finding 6). After
 * one verdict published before the outage (so the producer knows the topic), the packaged service stores the
 * verdicts that fall due while the broker is down, keeps re-sending them within its bounded window, and once the
 * broker is back every verdict is on the topic exactly once (one record per CloudEvent id), every stored analysis
 * is marked published, and the same process did it all (no restart).
 */
class KafkaOutageIT {
    /** How long the broker stays down: the two minutes the issue asks for, longer than the delivery timeout. */
    static final Duration OUTAGE = Duration.ofSeconds(120);
    private static final int ANALYSES = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern COUNTED = Pattern.compile("(?m)^canary_verdicts_total\\{[^}]*namespace=\"shop\"[^}]*} (\\S+)$");
    private static final Pattern UNPUBLISHED = Pattern.compile("(?m)^canary_verdicts_unpublished(?:\\{[^}]*})? (\\S+)$");

    @Test
    void verdictsDueWhileTheBrokerIsDownArriveExactlyOnceAfterwardsWithoutARestart() throws Exception {
        Path dir = Files.createTempDirectory("kafka-outage-it");
        List<SyntheticWorkload.Service> services = VerdictCollector.services(ANALYSES + 1);
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
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s",
                    "CANARY_ANALYSIS_SWEEP_INTERVAL", "2s",
                    // the CDEvents of the verdicts take the same outage: re-sent by their own sweep
                    "CANARY_CDEVENTS_PUBLISH_ENABLED", "true",
                    "CANARY_CDEVENTS_RESEND_INTERVAL", "2s");
            Path log = dir.resolve("service.log");
            try (ServiceProcess service = ServiceProcess.start(log, env)) {
                long pid = service.pid();
                Map<String, Boolean> events = new LinkedHashMap<>(); // event id -> bad canary
                // one verdict before the outage: the producer knows the topic, as in a service that has been running
                String warmUp = "outage-" + ANALYSES;
                events.put(warmUp, ANALYSES % 2 == 0);
                client.send("deployments", "shop/svc-" + ANALYSES,
                        DemoScenario.event(warmUp, "svc-" + ANALYSES, Instant.now(), "live-fast", null));
                await().atMost(Duration.ofSeconds(60)).until(() -> stored(pg).containsKey(warmUp)
                        && stored(pg).get(warmUp).published());
                for (int i = 0; i < ANALYSES; i++) {
                    String id = "outage-" + i;
                    events.put(id, i % 2 == 0);
                    client.send("deployments", "shop/svc-" + i, DemoScenario.event(id, "svc-" + i, Instant.now(), "live-fast", null));
                }
                // every analysis is taken in, none has finished yet (6 measurements 4 s apart): then the broker goes
                await().atMost(Duration.ofSeconds(30)).until(() -> stored(pg).size() == ANALYSES + 1);
                assertEquals(1, stored(pg).values().stream().filter(Row::completed).count(), "only the warm-up is done");
                kafka.stop();
                Instant down = Instant.now();

                // the verdicts fall due and are stored while the broker is down; none can be acknowledged
                await().atMost(Duration.ofSeconds(60)).until(() -> stored(pg).values().stream().allMatch(Row::completed));
                assertEquals(1, stored(pg).values().stream().filter(Row::published).count(),
                        "nothing is published without a broker");
                // AnalysisFinished (rollback, DORA) is fired for every verdict although none could be sent
                assertEquals(ANALYSES + 1, countedVerdicts(service), 0.0, "canary_verdicts_total counts every verdict");
                long remaining = OUTAGE.toMillis() - Duration.between(down, Instant.now()).toMillis();
                Thread.sleep(Math.max(0, remaining - 5000));
                double unpublishedDuringOutage = unpublishedGauge(service);
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.between(down, Instant.now()).toMillis()));
                assertTrue(service.alive(), "the service survived the outage; log " + log);
                kafka.restart();

                // back: every stored verdict is acknowledged, by the same process
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> stored(pg).values().stream().allMatch(Row::published));
                // a few more sweeps: nothing is sent again once acknowledged
                Thread.sleep(6000);
                Map<String, Integer> recordsPerCloudEventId = new TreeMap<>();
                Map<String, String> verdicts = new HashMap<>();
                for (ConsumerRecord<String, byte[]> r : client.readAll("canary-verdicts", Duration.ofSeconds(10))) {
                    JsonNode v = JSON.readTree(r.value());
                    String eventId = v.path("eventId").asText();
                    if (events.containsKey(eventId)) {
                        String ceId = KafkaTestClient.header(r, "ce_id");
                        assertNotNull(ceId, "a CloudEvent: " + eventId);
                        recordsPerCloudEventId.merge(ceId, 1, Integer::sum);
                        String previous = verdicts.put(eventId, ceId + " " + v.path("verdict").asText());
                        assertTrue(previous == null || previous.equals(ceId + " " + v.path("verdict").asText()),
                                "one CloudEvent id per analysis: " + eventId + " " + previous + " / " + ceId);
                    }
                }
                Map<String, Row> rows = stored(pg);
                assertEquals(events.keySet(), verdicts.keySet(), "every verdict arrived; log " + log);
                recordsPerCloudEventId.forEach((ceId, n) -> assertEquals(1, n, "exactly one record of " + ceId
                        + "; all: " + recordsPerCloudEventId + "; log " + log));
                events.forEach((id, isBad) -> {
                    assertEquals("verdict-" + rows.get(id).analysisId() + " " + (isBad ? "ABORT" : "PROMOTE"),
                            verdicts.get(id), id);
                    assertTrue(id.equals(warmUp) || rows.get(id).publishedAt().isAfter(down.plus(OUTAGE)),
                            "acknowledged after the broker came back: " + id);
                });
                assertEquals(ANALYSES, unpublishedDuringOutage, 0.0, "canary_verdicts_unpublished during the outage");
                await().atMost(Duration.ofSeconds(10)).until(() -> unpublishedGauge(service) == 0.0);
                // and every verdict's CDEvent (testsuiterun.finished) arrived exactly once too
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> cdEventsAcknowledged(pg) == ANALYSES + 1);
                Map<String, Integer> cdEvents = new TreeMap<>();
                for (ConsumerRecord<String, byte[]> r : client.readAll("cdevents", Duration.ofSeconds(10))) {
                    cdEvents.merge(KafkaTestClient.header(r, "ce_id"), 1, Integer::sum);
                }
                for (String id : events.keySet()) {
                    String ceId = "testsuiterun-" + rows.get(id).analysisId();
                    assertEquals(1, cdEvents.getOrDefault(ceId, 0), "exactly one CDEvent " + ceId + "; all: " + cdEvents);
                }
                assertTrue(service.alive(), "never restarted");
                assertEquals(pid, service.pid(), "never restarted");
                assertEquals(1, Files.readAllLines(log).stream().filter(l -> l.contains("started in")).count(),
                        "one start-up in the service log");
            }
        }
    }

    private static int cdEventsAcknowledged(PostgresServer pg) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM analysis WHERE cdevent_published_at IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** One stored analysis: its id, whether it has a verdict and when Kafka acknowledged it. */
    private record Row(String analysisId, boolean completed, Instant publishedAt) {
        boolean published() {
            return publishedAt != null;
        }
    }

    private static Map<String, Row> stored(PostgresServer pg) throws Exception {
        Map<String, Row> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
             ResultSet rs = c.createStatement().executeQuery("SELECT event_id, id, verdict, published_at FROM analysis")) {
            while (rs.next()) {
                java.sql.Timestamp published = rs.getTimestamp(4);
                rows.put(rs.getString(1), new Row(rs.getString(2), rs.getString(3) != null,
                        published == null ? null : published.toInstant()));
            }
        } catch (java.sql.SQLException migrationsNotDoneYet) {
            return Map.of();
        }
        return rows;
    }

    private static double unpublishedGauge(ServiceProcess service) throws Exception {
        Matcher m = UNPUBLISHED.matcher(metrics(service));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN; // NaN: not exported, fails the assertion
    }

    /** The verdicts counted by the AnalysisFinished observer of the DORA metrics, over the test's services. */
    private static double countedVerdicts(ServiceProcess service) throws Exception {
        Matcher m = COUNTED.matcher(metrics(service));
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static String metrics(ServiceProcess service) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
