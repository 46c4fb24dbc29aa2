package io.canaryjudge.integrations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Flagger's webhook payloads (CanaryWebhookPayload, as pkg/controller/webhook.go posts them) against real verdicts. */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class FlaggerWebhookTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void gateOpensOnlyOnceAHealthyCanaryIsPromotedAndRollbackStaysClosed() throws Exception {
        String payload = payload("cart-flagger", "Progressing", checksum(), "cart", startedAt.toString());
        ExtractableResponse<Response> last = poll("/api/v1/flagger/gate", payload, "PROMOTE");
        assertEquals(200, last.statusCode(), last.asString());
        given().body(payload).post("/api/v1/flagger/rollback").then().statusCode(412)
                .contentType("application/problem+json")
                .body("verdict", equalTo("PROMOTE"))
                .body("type", equalTo("urn:canary-judge:problem:no-rollback"));
    }

    @Test
    void rollbackHookAnswers200ForAWorseCanaryAndTheGateTellsWhyItStaysClosed() throws Exception {
        String payload = payload("checkout-flagger", "Progressing", checksum(), "checkout", startedAt.toString());
        ExtractableResponse<Response> last = poll("/api/v1/flagger/rollback", payload, "ABORT");
        assertEquals(200, last.statusCode(), last.asString());
        given().body(payload).post("/api/v1/flagger/gate").then().statusCode(412)
                .contentType("application/problem+json")
                .body("verdict", equalTo("ABORT"))
                .body("detail", containsString("error-rate"));
    }

    @Test
    void rolloutCheckPassesEveryIterationUntilTheVerdictIsAbort() throws Exception {
        String bad = payload("checkout-check", "Progressing", checksum(), "checkout", startedAt.toString());
        ExtractableResponse<Response> last = check(bad, "ABORT");
        assertEquals(412, last.statusCode(), last.asString());
        assertEquals("urn:canary-judge:problem:check-failed", last.path("type"));
        // a healthy canary: every iteration, pending or promoted, is a passed check (Flagger records no event)
        String good = payload("cart-check", "Progressing", checksum(), "cart", startedAt.toString());
        ExtractableResponse<Response> promoted = check(good, "PROMOTE");
        assertEquals(200, promoted.statusCode(), promoted.asString());
    }

    /** Calls the check hook until the verdict arrives: 200 while PENDING, then 200 or 412 as the verdict says. */
    private ExtractableResponse<Response> check(String payload, String verdict) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        ExtractableResponse<Response> r = null;
        while (Instant.now().isBefore(deadline)) {
            r = given().contentType("application/json").body(payload).post("/api/v1/flagger/check")
                    .then().body("verdict", is(oneOf("PENDING", verdict))).extract();
            if (verdict.equals(r.path("verdict"))) {
                return r;
            }
            assertEquals(200, r.statusCode(), "a pending analysis passes the check: " + r.asString());
            Thread.sleep(300);
        }
        throw new AssertionError("the check never answered " + verdict + ": " + (r == null ? null : r.asString()));
    }

    @Test
    void eventHookStartsOnProgressingAndCancelsWhenFlaggerGivesUp() {
        String checksum = checksum();
        // Flagger's event payload: its own eventMessage/eventType/timestamp metadata beside the hook's
        String progressing = """
                {"name":"payments","namespace":"shop","phase":"Progressing","checksum":"%s",
                 "metadata":{"eventMessage":"Advance payments.shop canary weight 10","eventType":"Normal",
                             "timestamp":"1764118800000"}}""".formatted(checksum);
        String analysisId = given().contentType("application/json").body(progressing).post("/api/v1/flagger/event")
                .then().statusCode(202)
                .body("action", equalTo("started"))
                .body("verdict", equalTo("PENDING"))
                .extract().path("analysisId");
        given().contentType("application/json").body(progressing.replace("Progressing\",\"checksum",
                "Failed\",\"checksum")).post("/api/v1/flagger/event")
                .then().statusCode(202).body("action", equalTo("cancelled")).body("analysisId", equalTo(analysisId));
        given().get("/api/v1/analyses/" + analysisId).then().statusCode(200).body("phase", equalTo("CANCELLED"));
        given().body(progressing).post("/api/v1/flagger/gate").then().statusCode(412)
                .body("verdict", equalTo("INCONCLUSIVE"))
                .body("detail", containsString("without a verdict"));
        given().contentType("application/json").body(progressing.replace("Progressing", "Promoting"))
                .post("/api/v1/flagger/event").then().statusCode(202).body("action", equalTo("ignored"));
    }

    /**
     * A new revision while one is analysed: Flagger's "New revision detected! Restarting analysis" event carries the
     * old revision's checksum (it is recorded before the new revision is stored). The old analysis ends CANCELLED
     * as superseded at once instead of running on; the new checksum's first call starts a fresh analysis.
     */
    @Test
    void restartingEventSupersedesTheOldRevisionAndTheNewChecksumStartsAfresh() {
        String old = checksum();
        String progressing = """
                {"name":"orders","namespace":"shop","phase":"Progressing","checksum":"%s",
                 "metadata":{"eventMessage":"Starting canary analysis for orders.shop","eventType":"Normal",
                             "timestamp":"1764118800000"}}""";
        String oldId = given().contentType("application/json").body(progressing.formatted(old))
                .post("/api/v1/flagger/event").then().statusCode(202).body("action", equalTo("started"))
                .extract().path("analysisId");
        String restarting = progressing.replace("Starting canary analysis for orders.shop",
                "New revision detected! Restarting analysis for orders.shop");
        given().contentType("application/json").body(restarting.formatted(old)).post("/api/v1/flagger/event")
                .then().statusCode(202).body("action", equalTo("superseded")).body("analysisId", equalTo(oldId));
        given().get("/api/v1/analyses/" + oldId).then().statusCode(200).body("phase", equalTo("CANCELLED"))
                .body("reason", containsString("flagger-superseded:shop/orders@" + old));
        String fresh = checksum();
        String freshId = given().contentType("application/json").body(progressing.formatted(fresh))
                .post("/api/v1/flagger/event").then().statusCode(202).body("action", equalTo("started"))
                .body("verdict", equalTo("PENDING")).extract().path("analysisId");
        org.junit.jupiter.api.Assertions.assertNotEquals(oldId, freshId);
        // the abandoned revision's gate stays closed: its analysis ended without a verdict
        given().body(progressing.formatted(old)).post("/api/v1/flagger/gate").then().statusCode(412)
                .body("analysisId", equalTo(oldId)).body("verdict", equalTo("INCONCLUSIVE"));
        // a restart of a revision nothing analysed starts nothing
        given().contentType("application/json").body(restarting.formatted(checksum())).post("/api/v1/flagger/event")
                .then().statusCode(202).body("action", equalTo("superseded")).body("analysisId", equalTo(null));
        given().get("/api/v1/analyses/" + freshId).then().statusCode(200).body("phase", is(oneOf("PENDING", "RUNNING")));
    }

    @Test
    void payloadWithoutNameIsA400Problem() {
        given().contentType("application/json").body("{\"namespace\":\"shop\",\"checksum\":\"abc\"}")
                .post("/api/v1/flagger/gate").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("name"));
    }

    @Test
    void payloadWithoutChecksumIsA400Problem() {
        given().contentType("application/json").body("{\"name\":\"cart\",\"namespace\":\"shop\",\"phase\":\"Progressing\"}")
                .post("/api/v1/flagger/rollback").then().statusCode(400)
                .body("errors[0].field", equalTo("checksum"));
    }

    private ExtractableResponse<Response> poll(String path, String payload, String verdict) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        ExtractableResponse<Response> r = null;
        while (Instant.now().isBefore(deadline)) {
            r = given().contentType("application/json").body(payload).post(path)
                    .then().statusCode(is(oneOf(200, 412))).body("verdict", is(oneOf("PENDING", verdict))).extract();
            if (verdict.equals(r.path("verdict"))) {
                return r;
            }
            assertEquals(412, r.statusCode(), "only the awaited verdict opens " + path);
            Thread.sleep(300);
        }
        throw new AssertionError(path + " never answered " + verdict + ": " + (r == null ? null : r.asString()));
    }

    private static String checksum() {
        return Long.toHexString(System.nanoTime());
    }

    private static String payload(String name, String phase, String checksum, String scenarioService, String start) {
        return """
                {"name":"%1$s","namespace":"shop","phase":"%2$s","checksum":"%3$s",
                 "metadata":{"template":"http-golden-signals",
                             "canaryLabels":"namespace=shop,service=%4$s,track=canary",
                             "stableLabels":"namespace=shop,service=%4$s,track=stable",
                             "startedAt":"%5$s"}}""".formatted(name, phase, checksum, scenarioService, start);
    }
}
