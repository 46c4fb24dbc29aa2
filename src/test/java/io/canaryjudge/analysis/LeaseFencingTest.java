package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The store lease fences a replica that lost an analysis: while another replica holds the analysis' lease (it claimed
 * it after this one paused too long), this replica's measurements and verdict are refused and it stops running the
 * analysis; once the lease is free again, the sweep claims it back and the analysis runs to its end.
 */
@QuarkusTest
@TestProfile(LeaseFencingTest.ShortLease.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class LeaseFencingTest {

    /** A 6 s lease and a 1 s sweep, every analysis run here, on a database of its own. */
    public static class ShortLease implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.analysis.lease-duration", "6s",
                    "canary.analysis.sweep-interval", "1s",
                    "canary.analysis.ownership", "all",
                    "quarkus.datasource.\"h2\".jdbc.url",
                    "jdbc:h2:mem:canary-lease-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }
    }

    @Inject
    AnalysisStore store;
    @Inject
    @io.quarkus.agroal.DataSource("h2")
    AgroalDataSource db;

    @Test
    void aTakenOverAnalysisIsNotWrittenByThisReplicaAndComesBackWhenTheLeaseIsFree() throws Exception {
        String service = "lease-" + System.nanoTime();
        String id = given().contentType("application/json")
                .body(DemoScenario.event("evt-" + service, "shop", service, Instant.now().minusSeconds(1))
                        .replace("\"template\":\"http-golden-signals\"", "\"template\":\"lease-slow\""))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> store.measurementCount(id) >= 2);

        // replica B claims the analysis (as after this replica paused longer than its lease): a new epoch
        sql("UPDATE analysis_lease SET lease_owner = 'replica-b', lease_epoch = lease_epoch + 1, lease_until = ? "
                + "WHERE analysis_id = ?",
                Instant.now().plus(Duration.ofHours(1)), id);
        int atTakeOver = store.measurementCount(id);
        Thread.sleep(10_000); // three intervals and more
        assertEquals(atTakeOver, store.measurementCount(id), "no measurement written under a lease it no longer holds");
        assertEquals(Phase.RUNNING, store.find(id).orElseThrow().phase(), "and no verdict");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("canary_analysis_fenced_writes_total")
                && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1), "the fenced write is counted");

        // B lets go: the sweep claims it again and the analysis runs to its end here
        sql("UPDATE analysis_lease SET lease_owner = NULL, lease_until = NULL WHERE analysis_id = ?", null, id);
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> store.find(id).orElseThrow().phase().terminal());
        assertTrue(store.measurementCount(id) > atTakeOver);
        assertEquals(Verdict.PROMOTE, store.find(id).orElseThrow().verdict());
    }

    private void sql(String statement, Instant at, String id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            int i = 1;
            if (at != null) {
                ps.setObject(i++, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            }
            ps.setString(i, id);
            assertEquals(1, ps.executeUpdate());
        }
    }
}
