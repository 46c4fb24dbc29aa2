package io.canaryjudge.auth;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** API keys with roles on every write (and, here, read) endpoint, and the recorded human gate. */
@QuarkusTest
@TestProfile(AuthAndDecisionsTest.Keys.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class AuthAndDecisionsTest {
    static final String DEPLOYER = "deployer-key-0123456789";
    static final String APPROVER = "approver-key-0123456789";
    static final String READER = "reader-key-0123456789ab";
    static final String FLAGGER = "flagger-key-0123456789a";
    static final String KAYENTA = "kayenta-key-0123456789a";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Three callers with one role each; reads protected too. */
    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.auth.api-keys", "ci:" + DEPLOYER + ":deployer,alice:" + APPROVER + ":approver,"
                    + "grafana:" + READER + ":reader,flagger:" + FLAGGER + ":flagger,argo-kayenta:" + KAYENTA
                    + ":kayenta", "canary.auth.protect-reads", "true");
        }
    }

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private String start(String id, String service, Instant at, String template) {
        return given().auth().oauth2(DEPLOYER).contentType("application/json")
                .body(DemoScenario.event(id, service, at, template, null))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
    }

    private JsonNode awaitPhase(String id, String phase) throws Exception {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(READER)
                .get("/api/v1/analyses/" + id).then().body("phase", equalTo(phase)));
        return JSON.readTree(given().auth().oauth2(READER).get("/api/v1/analyses/" + id).then().extract().asString());
    }

    @TestHTTPResource("/")
    URL root;

    /**
     * Peers that cannot send a header carry a key in the path, {@code /key/<key>/…}: only a key with integration roles
     * only, only on its own integration's endpoints; the same key as a header opens nothing else either.
     */
    @Test
    void integrationKeysInThePathOpenOnlyTheirOwnEndpoints() {
        String flagger = """
                {"name":"cart","namespace":"shop","phase":"Progressing","checksum":"path-key-1","metadata":{}}""";
        // Flagger's key in the path reaches the Flagger endpoints (the answer is the webhook's own, not 401/403)
        int status = given().contentType("application/json").body(flagger).post("/key/" + FLAGGER + "/api/v1/flagger/check")
                .then().extract().statusCode();
        assertTrue(status != 401 && status != 403 && status != 404, "status " + status);
        // ... and nothing else: not Kayenta's, not the analyses
        given().contentType("application/json").body("{}").post("/key/" + FLAGGER + "/canary/cfg")
                .then().statusCode(403).body("detail", equalTo("caller 'flagger' may only call the endpoints of [flagger]"));
        given().contentType("application/json").body(DemoScenario.event("evt-pathkey", "cart", startedAt))
                .post("/key/" + FLAGGER + "/api/v1/analyses").then().statusCode(403);
        given().auth().oauth2(FLAGGER).contentType("application/json").body(DemoScenario.event("evt-pathkey", "cart",
                startedAt)).post("/api/v1/analyses").then().statusCode(403)
                .body("detail", equalTo("caller 'flagger' lacks role deployer"));
        // the Kayenta key opens Kayenta's endpoints, by path as by header
        given().get("/key/" + KAYENTA + "/canaryConfig").then().statusCode(200);
        given().header("X-Api-Key", KAYENTA).get("/canaryConfig").then().statusCode(200);
        // a broader key is never accepted in a URL, even where its roles would allow the call
        given().contentType("application/json").body(flagger).post("/key/" + DEPLOYER + "/api/v1/flagger/check")
                .then().statusCode(403).body("detail", containsString("a key sent in a URL path may only carry "
                        + "integration roles"));
        given().contentType("application/json").body(flagger).post("/key/not-a-key-0123456789/api/v1/flagger/check")
                .then().statusCode(401);
        // without any key the integration endpoints stay closed
        given().contentType("application/json").body(flagger).post("/api/v1/flagger/check").then().statusCode(401);
    }

    /** Backtests cost Prometheus queries: role deployer, also through the CLI's --api-key / CANARY_API_KEY. */
    @Test
    void backtestsNeedTheDeployerRoleAlsoFromTheCli() throws Exception {
        String body = """
                {"kind":"replay","template":"replay-fixed","namespace":"shop","service":"cart",
                 "canary":{"labels":{"track":"canary","service":"cart"}},"stable":{"labels":{"track":"stable","service":"cart"}},
                 "startedAt":"%s"}""".formatted(startedAt);
        given().contentType("application/json").body(body).post("/api/v1/backtests").then().statusCode(401);
        given().auth().oauth2(READER).contentType("application/json").body(body).post("/api/v1/backtests")
                .then().statusCode(403).body("detail", equalTo("caller 'grafana' lacks role deployer"));
        given().auth().oauth2(DEPLOYER).contentType("application/json").body(body).post("/api/v1/backtests")
                .then().statusCode(200).body("verdict", equalTo("PROMOTE"));
        String[] args = {"bash", "bin/canary-judge-backtest", "--url", root.toString(), "--kind", "replay",
            "--template", "replay-fixed", "--namespace", "shop", "--service", "cart",
            "--canary-labels", "track=canary,service=cart", "--stable-labels", "track=stable,service=cart",
            "--started-at", startedAt.toString()};
        ProcessBuilder withKey = new ProcessBuilder(args).redirectErrorStream(true);
        withKey.environment().put("CANARY_API_KEY", DEPLOYER);
        Process p = withKey.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("verdict: PROMOTE (phase SUCCESSFUL)"), out);
        List<String> wrongRole = new java.util.ArrayList<>(List.of(args));
        wrongRole.addAll(List.of("--api-key", READER));
        Process q = new ProcessBuilder(wrongRole).redirectErrorStream(true).start();
        String denied = new String(q.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, q.waitFor(), denied);
        assertTrue(denied.startsWith("canary-judge-backtest: HTTP 403"), denied);
    }

    @Test
    void writesNeedAKeyWithTheRightRole() {
        String body = DemoScenario.event("auth-" + System.nanoTime(), "cart", startedAt);
        given().contentType("application/json").body(body).post("/api/v1/analyses").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"));
        given().auth().oauth2("not-a-key-at-all-000").contentType("application/json").body(body)
                .post("/api/v1/analyses").then().statusCode(401).body("detail", equalTo("unknown API key"));
        given().auth().oauth2(APPROVER).contentType("application/json").body(body).post("/api/v1/analyses")
                .then().statusCode(403).body("detail", equalTo("caller 'alice' lacks role deployer"))
                .body(not(containsString(APPROVER)));
        given().header("X-Api-Key", DEPLOYER).contentType("application/json").body(body).post("/api/v1/analyses")
                .then().statusCode(202);
    }

    @Test
    void protectedReadsNeedTheReaderRoleWhileHealthAndCompareStayOpen() {
        given().get("/api/v1/analyses").then().statusCode(401);
        given().auth().oauth2(READER).get("/api/v1/analyses").then().statusCode(200);
        given().auth().oauth2(APPROVER).get("/api/v1/analyses").then().statusCode(403);
        given().get("/q/health/ready").then().statusCode(200);
        given().contentType("application/json").body("{\"canary\":[1,2,3],\"stable\":[4,5,6]}").post("/api/v1/compare")
                .then().statusCode(200);
    }

    @Test
    void approverPromotesAnInconclusiveCanaryAndTheDecisionIsRecordedAndPublished() throws Exception {
        String id = start("gate-" + System.nanoTime(), "cart", startedAt, "rules-nodata");
        awaitPhase(id, "INCONCLUSIVE");
        String decision = "{\"action\":\"approve\",\"reason\":\"metrics dashboard looks fine, ticket OPS-17\"}";
        given().auth().oauth2(DEPLOYER).contentType("application/json").body(decision)
                .post("/api/v1/analyses/" + id + "/decisions").then().statusCode(403);
        given().auth().oauth2(APPROVER).contentType("application/json").body(decision)
                .post("/api/v1/analyses/" + id + "/decisions").then().statusCode(200)
                .body("verdict", equalTo("PROMOTE")).body("phase", equalTo("SUCCESSFUL"))
                .body("decisions[0].actor", equalTo("alice")).body("decisions[0].action", equalTo("APPROVE"))
                .body("reason", containsString("Approved by alice: metrics dashboard looks fine"));
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            ConsumerRecord<String, byte[]> r = kafka.await("canary-verdicts",
                    rec -> ("verdict-" + id + "-decision-1").equals(KafkaTestClient.header(rec, "ce_id")), Duration.ofSeconds(30));
            JsonNode v = JSON.readTree(r.value());
            assertEquals("PROMOTE", v.path("verdict").asText());
            assertEquals("INCONCLUSIVE", v.path("judgeVerdict").asText());
            assertEquals("alice", v.path("decision").path("by").asText());
            assertEquals("metrics dashboard looks fine, ticket OPS-17", v.path("decision").path("reason").asText());
        }
        // a second approval has nothing left to change
        given().auth().oauth2(APPROVER).contentType("application/json").body(decision)
                .post("/api/v1/analyses/" + id + "/decisions").then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void approverAbortsARunningAnalysis() throws Exception {
        String id = start("force-" + System.nanoTime(), "cart", Instant.now(), "replay-fixed");
        given().auth().oauth2(APPROVER).contentType("application/json")
                .body("{\"action\":\"abort\",\"reason\":\"customer reports on #incident-42\"}")
                .post("/api/v1/analyses/" + id + "/decisions").then().statusCode(200)
                .body("verdict", equalTo("ABORT")).body("phase", equalTo("FAILED"));
        JsonNode a = awaitPhase(id, "FAILED");
        assertEquals("customer reports on #incident-42", a.path("decisions").get(0).path("reason").asText());
    }

    @Test
    void badDecisionsAreProblems() {
        given().auth().oauth2(APPROVER).contentType("application/json").body("{\"action\":\"promote\",\"reason\":\"x\"}")
                .post("/api/v1/analyses/x/decisions").then().statusCode(400).body("errors[0].field", equalTo("action"));
        given().auth().oauth2(APPROVER).contentType("application/json").body("{\"action\":\"abort\"}")
                .post("/api/v1/analyses/x/decisions").then().statusCode(400).body("errors[0].field", equalTo("reason"));
        given().auth().oauth2(APPROVER).contentType("application/json").body("{\"action\":\"abort\",\"reason\":\"x\"}")
                .post("/api/v1/analyses/no-such-analysis/decisions").then().statusCode(404);
    }
}
