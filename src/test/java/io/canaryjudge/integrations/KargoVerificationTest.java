package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Kargo's verification step (deploy/kargo): the web provider asks for the verdict of the Freight's image digest,
 * found among the service's analyses; real analyses on the backfilled Prometheus.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class KargoVerificationTest {
    private static final String URL = "/api/v1/kargo/verdict";

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void answersTheVerdictOfTheFreightsDigestPendingUntilThen() {
        // the deploy tooling's event for the worse canary of checkout, under a digest no other test uses
        String hex = (java.util.UUID.randomUUID().toString() + java.util.UUID.randomUUID()).replace("-", "");
        String digest = "sha256:" + hex;
        String event = DemoScenario.event("kargo-" + System.nanoTime(), DemoScenario.BAD_SERVICE, startedAt)
                .replace("c".repeat(64), hex).replace("\"checkout-42\"", "\"checkout-kargo\"");
        // before any analysis of that digest: PENDING, which Argo counts as an inconclusive measurement
        given().queryParam("namespace", "shop").queryParam("service", "checkout").queryParam("digest", digest)
                .get(URL).then().statusCode(200)
                .body("verdict", equalTo("PENDING"))
                .body("analysisId", nullValue())
                .body("reason", containsString("no analysis of " + digest + " for shop/checkout yet"));
        String id = given().contentType("application/json").body(event).post("/api/v1/analyses")
                .then().statusCode(202).extract().path("id");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                "ABORT".equals(given().queryParam("namespace", "shop").queryParam("service", "checkout")
                        .queryParam("digest", digest).get(URL).then().statusCode(200).extract().path("verdict")));
        given().queryParam("namespace", "shop").queryParam("service", "checkout").queryParam("digest", digest)
                .get(URL).then().statusCode(200)
                .body("analysisId", equalTo(id))
                .body("reason", containsString("error-rate"));
        // another service's analyses do not answer for this one
        given().queryParam("namespace", "shop").queryParam("service", "cart").queryParam("digest", digest)
                .get(URL).then().statusCode(200).body("verdict", equalTo("PENDING"));
    }

    @Test
    void aTagOrAMissingParameterIsAProblemNotAVerdict() {
        given().queryParam("namespace", "shop").queryParam("service", "checkout").queryParam("digest", "v1.2.3")
                .get(URL).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("expected sha256: followed by 64 lowercase hex digits"));
        given().queryParam("namespace", "shop").queryParam("digest", "sha256:" + "a".repeat(64))
                .get(URL).then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("service is required"));
    }
}
