package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.PostgresResource;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The whole flow with PostgreSQL as the store (a real server), as in production. */
@QuarkusTest
@TestProfile(PostgresFlowTest.Postgres.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class PostgresFlowTest {

    /** Boots the service on PostgreSQL. */
    public static class Postgres implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresResource.class));
        }
    }

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void analysesAreStoredInPostgresAndReadinessChecksIt() {
        String id = "pg-" + System.nanoTime();
        String location = given().contentType("application/json").body(DemoScenario.event(id, "cart", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(location).then()
                .body("verdict", equalTo("PROMOTE")).body("measurements", hasSize(10)));
        given().get("/api/v1/analyses?service=cart&verdict=PROMOTE").then().body("items.eventId", hasItem(id));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Database connections health check' }.data.pg", equalTo("UP"));
    }
}
