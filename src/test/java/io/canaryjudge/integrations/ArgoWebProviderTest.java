package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The Argo Rollouts web provider as an AnalysisTemplate calls it: the same request every interval, answered 200
 * with PENDING until the real verdict of the backfilled scenario, never an error status.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class ArgoWebProviderTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void theImageRepositoryTravelsWithTheCanarySoItsSignatureCanBeChecked() throws Exception {
        String canary = "sha256:" + Long.toHexString(System.nanoTime()).repeat(8).substring(0, 64);
        String stable = "sha256:" + "5".repeat(64);
        java.util.function.Function<String, io.restassured.specification.RequestSpecification> call = image -> given()
                .queryParam("namespace", "shop").queryParam("rollout", "checkout-signed")
                .queryParam("canaryDigest", canary).queryParam("stableDigest", stable)
                .queryParam("template", "http-golden-signals")
                .queryParam("canaryLabels", "namespace=shop,service=checkout,track=canary")
                .queryParam("stableLabels", "namespace=shop,service=checkout,track=stable")
                .queryParam("startedAt", startedAt.toString()).queryParam("image", image);
        String id = call.apply("registry.example.com/shop/checkout").get("/api/v1/argo/verdict")
                .then().statusCode(200).extract().path("analysisId");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !"PENDING".equals(call.apply(
                "registry.example.com/shop/checkout").get("/api/v1/argo/verdict").then().extract().path("verdict")));
        assertEquals("registry.example.com/shop/checkout", given().get("/api/v1/analyses/" + id).then()
                .statusCode(200).extract().path("image"));
        call.apply("registry.example.com/other/checkout").get("/api/v1/argo/verdict").then().statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsString("image registry.example.com/shop/checkout "
                        + "(this call: registry.example.com/other/checkout)"));
        // a new canary naming a tag instead of a repository is refused before anything starts
        given().queryParam("namespace", "shop").queryParam("rollout", "checkout-signed")
                .queryParam("canaryDigest", "sha256:" + "7".repeat(64)).queryParam("stableDigest", stable)
                .queryParam("canaryLabels", "namespace=shop,service=checkout,track=canary")
                .queryParam("stableLabels", "namespace=shop,service=checkout,track=stable")
                .queryParam("image", "registry.example.com/shop/checkout:v1")
                .get("/api/v1/argo/verdict").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("image"));
    }

    @Test
    void everyIntervalsGetOfAWorseCanaryFindsOneAnalysisAndEndsInAbort() throws Exception {
        String hash = "c" + Long.toHexString(System.nanoTime());
        Set<String> analysisIds = new HashSet<>();
        JsonPath last = null;
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            // exactly the query string of deploy/argo-rollouts/analysistemplate.yaml, plus the scenario's labels
            last = given().urlEncodingEnabled(true)
                    .queryParam("namespace", "shop").queryParam("rollout", "checkout-argo")
                    .queryParam("canaryHash", hash).queryParam("stableHash", "5f7c8b9d2")
                    .queryParam("template", "http-golden-signals")
                    .queryParam("canaryLabels", "namespace=shop,service=checkout,track=canary")
                    .queryParam("stableLabels", "namespace=shop,service=checkout,track=stable")
                    .queryParam("startedAt", startedAt.toString())
                    .get("/api/v1/argo/verdict")
                    .then().statusCode(200)
                    .body("verdict", is(oneOf("PENDING", "ABORT")))
                    .extract().jsonPath();
            analysisIds.add(last.getString("analysisId"));
            if (!"PENDING".equals(last.getString("verdict"))) {
                break;
            }
            Thread.sleep(300);
        }
        assertEquals("ABORT", last.getString("verdict"), last.prettify());
        assertEquals(1, analysisIds.size(), "every call found the same analysis: " + analysisIds);
        assertEquals("argo:shop/checkout-argo@" + hash, last.getString("eventId"));
        // the shipped template judges sequentially: no score, the reason gives the evidence against ln(1/α)
        assertNull(last.get("score"), last.prettify());
        assertTrue(last.getString("reason").startsWith("ABORT: error-rate "), last.prettify());
        assertTrue(last.getString("reason").contains("worse than the 1.2× tolerance (count e-process: ln M "),
                last.prettify());
        assertTrue(last.getString("reason").contains(" ≥ 2.996"), last.prettify());
        assertTrue(last.getList("metrics.name").contains("latency"), last.prettify());
        assertEquals(1, last.getInt("progress.taken"), "the critical error rate aborts at the first measurement");
        // after the verdict the same call keeps answering it
        given().queryParam("namespace", "shop").queryParam("rollout", "checkout-argo").queryParam("canaryHash", hash)
                .queryParam("stableHash", "5f7c8b9d2").queryParam("template", "http-golden-signals")
                .queryParam("canaryLabels", "namespace=shop,service=checkout,track=canary")
                .queryParam("stableLabels", "namespace=shop,service=checkout,track=stable")
                .get("/api/v1/argo/verdict").then().statusCode(200)
                .body("verdict", equalTo("ABORT")).body("analysisId", equalTo(last.getString("analysisId")));
        // a call under the same id that describes another canary (other cohorts, another template) is refused: the
        // first caller does not decide what is measured for the next one, and no one can swap it for a healthy one
        given().queryParam("namespace", "shop").queryParam("rollout", "checkout-argo").queryParam("canaryHash", hash)
                .queryParam("stableHash", "5f7c8b9d2").queryParam("template", "http-golden-signals-fixed")
                .queryParam("canaryLabels", "namespace=shop,service=cart,track=canary")
                .queryParam("stableLabels", "namespace=shop,service=cart,track=stable")
                .get("/api/v1/argo/verdict").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:canary-judge:problem:integration-mismatch"))
                .body("detail", org.hamcrest.Matchers.containsString("template http-golden-signals (this call: "
                        + "http-golden-signals-fixed)"))
                .body("detail", org.hamcrest.Matchers.containsString("canary labels"));
    }

    @Test
    void postWithAJsonBodyAndLabelObjectsPromotesAHealthyCanary() throws Exception {
        String body = """
                {"namespace":"shop","rollout":"cart-argo","canaryHash":"%s","stableHash":"5f7c8b9d2",
                 "canaryLabels":{"namespace":"shop","service":"cart","track":"canary"},
                 "stableLabels":{"namespace":"shop","service":"cart","track":"stable"},
                 "startedAt":"%s"}""".formatted("c" + Long.toHexString(System.nanoTime()), startedAt);
        JsonPath last = null;
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            // Argo's web provider sends the body with the headers the template lists, possibly none
            last = given().body(body).post("/api/v1/argo/verdict").then().statusCode(200)
                    .body("verdict", is(oneOf("PENDING", "PROMOTE"))).extract().jsonPath();
            if (!"PENDING".equals(last.getString("verdict"))) {
                break;
            }
            Thread.sleep(300);
        }
        assertEquals("PROMOTE", last.getString("verdict"), last.prettify());
        assertNull(last.get("score"), "sequential mode has no score: " + last.prettify());
        assertTrue(last.getString("reason").startsWith("PROMOTE"), last.prettify());
    }

    @Test
    void aCanaryThatJustStartedIsPendingWith200() {
        given().queryParam("namespace", "shop").queryParam("rollout", "payments")
                .queryParam("canaryHash", "c" + Long.toHexString(System.nanoTime())).queryParam("stableHash", "5f7c8b9d2")
                .get("/api/v1/argo/verdict")
                .then().statusCode(200)
                .body("verdict", equalTo("PENDING"))
                .body("score", equalTo(null))
                .body("progress.taken", equalTo(0))
                .body("progress.planned", equalTo(10))
                .body("reason", containsString("first window closes"));
    }

    @Test
    void missingRolloutIsA400ProblemNamingTheParameter() {
        given().queryParam("namespace", "shop").queryParam("canaryHash", "abc").queryParam("stableHash", "def")
                .get("/api/v1/argo/verdict")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("rollout"));
    }

    @Test
    void unknownTemplateIsA400ProblemNotAnError() {
        given().queryParam("namespace", "shop").queryParam("rollout", "checkout")
                .queryParam("canaryHash", "c" + Long.toHexString(System.nanoTime())).queryParam("stableHash", "def")
                .queryParam("template", "no-such-template")
                .get("/api/v1/argo/verdict")
                .then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem("template"));
    }

    @Test
    void rollbackTargetNeedsRealImageDigests() {
        given().queryParam("namespace", "shop").queryParam("rollout", "checkout")
                .queryParam("canaryHash", "abc").queryParam("stableHash", "def").queryParam("rollback", "true")
                .get("/api/v1/argo/verdict")
                .then().statusCode(400)
                .body("errors[0].field", equalTo("rollback"));
    }

    @Test
    void malformedPostBodyIsA400Problem() {
        given().body("{not json").post("/api/v1/argo/verdict").then().statusCode(400)
                .contentType("application/problem+json");
    }
}
