package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A rollout retried after an ABORT: Argo calls the web provider with exactly the same arguments, so the service tells
 * the retry from Argo asking again by time. Within {@code retry-after-abort} the ABORT is answered again; later, a new
 * analysis (the next attempt) starts, and it too ends with a verdict of its own.
 */
@QuarkusTest
@TestProfile(ArgoRetryTest.ShortRetry.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class ArgoRetryTest {

    /** A retry counts after 8 s (5 min by default; long enough for a busy test machine's calls), on a database of its own. */
    public static class ShortRetry implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.integrations.argo.retry-after-abort", "8s",
                    "quarkus.datasource.\"h2\".jdbc.url",
                    "jdbc:h2:mem:canary-argo-retry-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }
    }

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    /** What Argo's web provider sends for the worse canary of the demo workload, every time. */
    private RequestSpecification call() {
        return given().queryParam("namespace", "shop").queryParam("rollout", "checkout-retry")
                .queryParam("canaryDigest", "sha256:" + "c".repeat(64)).queryParam("stableDigest", "sha256:" + "b".repeat(64))
                .queryParam("template", "http-golden-signals")
                .queryParam("canaryLabels", "namespace=shop,service=checkout,track=canary")
                .queryParam("stableLabels", "namespace=shop,service=checkout,track=stable")
                .queryParam("startedAt", startedAt.toString());
    }

    /** The first answer with this verdict (not a later call: that one may already count as a retry). */
    private JsonPath awaitVerdict(String verdict) {
        return Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> call().get("/api/v1/argo/verdict").then().statusCode(200).extract().jsonPath(),
                        answer -> verdict.equals(answer.getString("verdict")));
    }

    @Test
    void aRetryAfterAbortStartsTheNextAttemptWhileAskingAgainFindsTheAbort() throws Exception {
        JsonPath first = awaitVerdict("ABORT");
        String firstId = first.getString("analysisId");
        assertEquals("argo:shop/checkout-retry@sha256:" + "c".repeat(64), first.getString("eventId"));
        // Argo asking again soon after (an answer lost on the way): the same ABORT
        JsonPath again = call().get("/api/v1/argo/verdict").then().statusCode(200).extract().jsonPath();
        assertEquals("ABORT", again.getString("verdict"));
        assertEquals(firstId, again.getString("analysisId"));

        // a person retries the rollout later: a new analysis of the same canary
        Thread.sleep(8_500);
        JsonPath retry = call().get("/api/v1/argo/verdict").then().statusCode(200).extract().jsonPath();
        assertNotEquals(firstId, retry.getString("analysisId"));
        assertEquals(first.getString("eventId") + ":attempt-2", retry.getString("eventId"));
        JsonPath second = awaitVerdict("ABORT");
        assertEquals(retry.getString("analysisId"), second.getString("analysisId"), "the retry's own verdict");
        // the first attempt keeps its verdict
        given().get("/api/v1/analyses/" + firstId).then().statusCode(200)
                .body("verdict", org.hamcrest.Matchers.equalTo("ABORT"));
    }
}
