package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Replays what Argo Rollouts' kayenta provider (metricproviders/kayenta/kayenta.go) sends, byte for byte where it
 * matters, and reads the answers the way it does: the config id looked up by name, the job posted with its
 * whitespace-laden payload, then the execution polled until complete and the score classified with
 * {@code int(score)} against pass / marginal.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class KayentaContractTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PASS = 95;
    private static final int MARGINAL = 75;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void argoKayentaFlowForAWorseCanaryEndsFailed() throws Exception {
        JsonPath result = argoRun("checkout-kayenta", "checkout");
        assertEquals("Failed", argoPhase(result), result.prettify());
        assertEquals("Fail", result.getString("result.judgeResult.score.classification"));
        assertEquals("ABORT", result.getString("canaryJudge.verdict"));
        assertTrue(result.getList("result.judgeResult.results.classification").contains("High"), result.prettify());
    }

    @Test
    void argoKayentaFlowForAHealthyCanaryEndsSuccessful() throws Exception {
        JsonPath result = argoRun("cart-kayenta", "cart");
        assertEquals("Successful", argoPhase(result), result.prettify());
        assertEquals("Pass", result.getString("result.judgeResult.score.classification"));
        assertEquals("PROMOTE", result.getString("canaryJudge.verdict"));
    }

    @Test
    void anExecutionThatEndsWithoutAVerdictScoresInconclusiveNotAnError() {
        // an analysis whose window is still open, superseded by the next canary of the same application: it ends
        // without a verdict, which proved nothing — Argo must see Inconclusive (a person decides), not an Error
        Instant now = Instant.now();
        String first = post("http-golden-signals", "superseded-kayenta", payload("default",
                liveScope("service=cart,track=stable", now), liveScope("service=cart,track=canary", now)));
        post("http-golden-signals", "superseded-kayenta", payload("default",
                liveScope("service=cart,track=stable,next=1", now.plusSeconds(1)),
                liveScope("service=cart,track=canary", now.plusSeconds(1))));
        JsonPath status = given().get("/canary/" + first).then().statusCode(200).extract().jsonPath();
        assertEquals(true, status.getBoolean("complete"), status.prettify());
        assertEquals("succeeded", status.getString("status"), status.prettify());
        assertEquals("INCONCLUSIVE", status.getString("canaryJudge.verdict"), status.prettify());
        assertEquals("Inconclusive", argoPhase(status), status.prettify());
        assertTrue(status.getString("result.judgeResult.score.classificationReason").contains("without a verdict"),
                status.prettify());
    }

    @Test
    void canaryConfigListsEveryTemplateByName() {
        given().get("/canaryConfig?application=checkout&configurationAccountName=canary-judge")
                .then().statusCode(200)
                .body("name", hasItem("http-golden-signals"))
                .body("name", hasItem("http-golden-signals-fixed"))
                .body("find { it.name == 'http-golden-signals' }.id", equalTo("http-golden-signals"));
    }

    @Test
    void sameJobPostedAgainIsTheSameExecution() {
        String body = payload("default", scope("service=cart,track=stable", ""), scope("service=cart,track=canary", ""));
        String first = post("http-golden-signals", "cart-again", body);
        String second = post("http-golden-signals", "cart-again", body);
        assertEquals(first, second);
    }

    @Test
    void kayentaLocationAndArgoRegionBecomeTheLocationLabel() throws Exception {
        String body = """
                {"scopes":{"default":{
                   "controlScope":{"scope":"service=cart,track=stable","location":"eu-west-1","step":60,
                                   "start":"%1$s","end":"%2$s"},
                   "experimentScope":{"scope":"service=cart,track=canary","region":"eu-west-1","step":60,
                                      "start":"%1$s","end":"%2$s"}}},
                 "thresholds":{"pass":90,"marginal":50}}""".formatted(startedAt, startedAt.plusSeconds(600));
        String execution = post("http-golden-signals", "cart-region", body);
        String analysisId = execution.substring(0, 36);
        JsonPath analysis = awaitMeasurement(analysisId);
        List<String> queries = analysis.getList("measurements[0].metrics[0].canary.queries");
        assertTrue(queries.get(0).contains("region=\"eu-west-1\""), queries.toString());
        assertTrue(queries.get(0).contains("track=\"canary\""), queries.toString());
        List<String> stable = analysis.getList("measurements[0].metrics[0].stable.queries");
        assertTrue(stable.get(0).contains("region=\"eu-west-1\""), stable.toString());
    }

    @Test
    void bareScopeIsAValueOfTheScopeLabel() throws Exception {
        String execution = post("http-golden-signals", "guestbook",
                payload("default", scope("guestbook-stable", ""), scope("guestbook-canary", "")));
        JsonPath analysis = awaitMeasurement(execution.substring(0, 36));
        List<String> queries = analysis.getList("measurements[0].metrics[0].canary.queries");
        assertTrue(queries.get(0).contains("app=\"guestbook-canary\""), queries.toString());
    }

    @Test
    void unknownConfigAndUnknownExecutionAre404Problems() {
        given().contentType("application/json").body(payload("default", scope("a=b", ""), scope("a=c", "")))
                .post("/canary/no-such-config?application=x").then().statusCode(404)
                .contentType("application/problem+json");
        given().get("/canary/00000000-0000-0000-0000-000000000000_p95_m75").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void missingStartIsA400NamingTheField() {
        String body = """
                {"scopes":{"default":{"controlScope":{"scope":"a=b"},"experimentScope":{"scope":"a=c"}}}}""";
        given().contentType("application/json").body(body).post("/canary/http-golden-signals?application=cart")
                .then().statusCode(400)
                .body("errors[0].field", equalTo("scopes.experimentScope.start"))
                .body("detail", containsString("RFC 3339"));
    }

    /** Run (one POST) then Resume (polls every 15 s in Argo; faster here) until complete. */
    private JsonPath argoRun(String application, String service) throws Exception {
        // getCanaryConfigId: note Argo sends storageAccountName as configurationAccountName
        List<Map<String, Object>> configs = given()
                .get("/canaryConfig?application=" + application + "&configurationAccountName=canary-judge-storage")
                .then().statusCode(200).extract().jsonPath().getList("$");
        String configId = configs.stream().filter(c -> "http-golden-signals".equals(c.get("Name") == null
                ? c.get("name") : c.get("Name"))).map(c -> (String) c.get("id")).findFirst().orElseThrow();
        String body = payload("default",
                scope("namespace=shop and service=" + service + " and track=stable", ""),
                scope("namespace=shop and service=" + service + " and track=canary", ""));
        String executionId = post(configId, application, body);
        assertFalse(executionId.isEmpty());
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            JsonPath status = given().get("/canary/" + executionId).then().statusCode(200).extract().jsonPath();
            Object complete = status.get("complete");
            assertNotNull(complete, "Argo errors on a missing complete: " + status.prettify());
            if (Boolean.TRUE.equals(complete)) {
                return status;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("execution " + executionId + " not complete within " + WAIT);
    }

    private String post(String configId, String application, String body) {
        // jobURLFormat: %s/canary/%s?application=%s&metricsAccountName=%s&configurationAccountName=%s&storageAccountName=%s
        String url = "/canary/" + configId + "?application=" + application + "&metricsAccountName=prometheus"
                + "&configurationAccountName=canary-judge&storageAccountName=canary-judge-storage";
        return given().contentType("application/json").body(body).post(url)
                .then().statusCode(200).extract().jsonPath().getString("canaryExecutionId");
    }

    /** Argo's evaluateResult on int(score). */
    private static String argoPhase(JsonPath status) {
        int score = (int) status.getDouble("result.judgeResult.score.score");
        return score >= PASS ? "Successful" : score >= MARGINAL ? "Inconclusive" : "Failed";
    }

    /** jobPayloadFormat of kayenta.go, whitespace included. */
    private static String payload(String scopeName, String control, String experiment) {
        String scopes = "\"" + scopeName + "\":{\"controlScope\": " + control + ", \"experimentScope\": " + experiment + "}";
        return "\n\t\t\t\t\t\t\t{\n\t\t\t\t\t\t\t\t\"scopes\": {\n\t\t\t\t\t\t\t\t\t\t" + scopes
                + "\n\t\t\t\t\t\t\t\t},\n                                \"thresholds\" : {\n"
                + "                                    \"pass\": " + PASS + ",\n"
                + "                                    \"marginal\": " + MARGINAL + "\n"
                + "                                }\n                            }";
    }

    /** json.Marshal of Argo's ScopeDetail {scope, region, step, start, end}. */
    private String scope(String scope, String region) {
        return "{\"scope\":\"" + scope + "\",\"region\":\"" + region + "\",\"step\":60,\"start\":\"" + startedAt
                + "\",\"end\":\"" + startedAt.plusSeconds(600) + "\"}";
    }

    private static String liveScope(String scope, Instant start) {
        return "{\"scope\":\"" + scope + "\",\"region\":\"\",\"step\":60,\"start\":\"" + start
                + "\",\"end\":\"" + start.plusSeconds(600) + "\"}";
    }

    private JsonPath awaitMeasurement(String analysisId) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            JsonPath a = given().get("/api/v1/analyses/" + analysisId).then().statusCode(200).extract().jsonPath();
            if (a.getList("measurements").size() > 0) {
                return a;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no measurement of " + analysisId);
    }
}
