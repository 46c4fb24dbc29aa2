package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * {@code canary.analysis.max-in-flight} on real parts: at the limit, REST answers 503 with Retry-After and a problem
 * body, and an event on Kafka waits unacknowledged (not lost, not dead-lettered) until an analysis ends; then it starts.
 */
@QuarkusTest
@TestProfile(InFlightCapTest.TwoAtATime.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class InFlightCapTest {

    /**
     * Two analyses at a time, on a database, topic and consumer group of its own (no analyses or unconsumed events of
     * other tests), every analysis run here (no wait for a partition assignment).
     */
    public static class TwoAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.analysis.max-in-flight", "2",
                    "canary.analysis.sweep-interval", "2s",
                    "canary.analysis.ownership", "all",
                    "mp.messaging.incoming.deployments.topic", TOPIC,
                    "mp.messaging.incoming.deployments.group.id", "canary-capacity-test",
                    "mp.messaging.outgoing.deployments-dlq.topic", TOPIC + ".dlq",
                    "quarkus.datasource.\"h2\".jdbc.url",
                    "jdbc:h2:mem:canary-capacity-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }
    }

    static final String TOPIC = "deployments-capacity-test";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    AnalysisStore store;

    @Test
    void atTheLimitRestIsRefusedAndKafkaWaitsUntilAnAnalysisEnds() throws Exception {
        // started now: their first window closes in a minute, so both stay in flight for the whole test
        Instant now = Instant.now();
        String first = start("cap-a", now);
        start("cap-b", now);

        given().contentType("application/json").body(DemoScenario.event("evt-cap-c", "cap", "cap-c", now))
                .post("/api/v1/analyses").then().statusCode(503)
                .header("Retry-After", "2")
                .body("type", equalTo(io.canaryjudge.problem.Problem.TYPE_PREFIX + "at-capacity"))
                .body("status", equalTo(503))
                .body("detail", startsWith("this replica runs 2 analyses, its limit (canary.analysis.max-in-flight=2)"));
        assertTrue(store.findByEventId("evt-cap-c").isEmpty(), "a refused event stores nothing");

        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            kafka.send(TOPIC, "cap/cap-d", DemoScenario.event("evt-cap-d", "cap", "cap-d", now));
            // held back while two run: several sweeps and retries later it is still not started
            Thread.sleep(8_000);
            assertTrue(store.findByEventId("evt-cap-d").isEmpty(), "the event waits while the replica is full");

            given().contentType("application/json").body("""
                    {"id":"evt-cap-cancel","type":"canary.cancelled","namespace":"cap","service":"cap-a"}""")
                    .post("/api/v1/analyses").then().statusCode(202);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> store.findByEventId("evt-cap-d").isPresent());
        }
        given().get("/api/v1/analyses/" + first).then().statusCode(200).body("phase", equalTo("CANCELLED"));
        assertTrue(store.findByEventId("evt-cap-d").orElseThrow().phase() == Phase.PENDING
                || store.findByEventId("evt-cap-d").orElseThrow().phase() == Phase.RUNNING);
    }

    private static String start(String service, Instant startedAt) {
        return given().contentType("application/json").body(DemoScenario.event("evt-" + service, "cap", service, startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
    }
}
