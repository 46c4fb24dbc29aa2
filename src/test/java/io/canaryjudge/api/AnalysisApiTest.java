package io.canaryjudge.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class AnalysisApiTest {

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void postStartsAnAnalysisAndLocationServesItsVerdict() {
        String id = "rest-" + System.nanoTime();
        String location = given().contentType("application/json").body(DemoScenario.event(id, "cart", startedAt))
                .post("/api/v1/analyses")
                .then().statusCode(202).body("id", notNullValue()).body("created", equalTo(true))
                .extract().header("Location");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(location).then().statusCode(200)
                .body("eventId", equalTo(id)).body("phase", equalTo("SUCCESSFUL"))
                .body("verdict", equalTo("PROMOTE")).body("measurements", hasSize(10))
                .body("measurements[0].metrics.name", hasItem("latency")));
    }

    @Test
    void invalidPostIsAProblemNamingTheFieldAndStoresNothing() {
        String body = DemoScenario.event("rest-bad-1", "orders", startedAt).replace("sha256:" + "b".repeat(64), "latest");
        given().contentType("application/json").body(body).post("/api/v1/analyses")
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("title", equalTo("Invalid deployment event"))
                .body("errors.field", hasItem("stable.digest"))
                .body("detail", containsString("stable.digest"));
        given().get("/api/v1/analyses?service=orders").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void malformedJsonBodyIsAProblem() {
        given().contentType("application/json").body("{\"id\": ").post("/api/v1/analyses")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("$"));
    }

    @Test
    void nonObjectBodyIsAProblem() {
        given().contentType("application/json").body("[1,2]").post("/api/v1/analyses")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("$"));
    }

    @Test
    void unknownAnalysisIsNotFound() {
        given().get("/api/v1/analyses/does-not-exist").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void listIsNewestFirstAndPagesWithACursor() {
        String first = given().contentType("application/json")
                .body(DemoScenario.event("page-1-" + System.nanoTime(), "cart", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        String second = given().contentType("application/json")
                .body(DemoScenario.event("page-2-" + System.nanoTime(), "checkout", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        String cursor = given().get("/api/v1/analyses?namespace=shop&limit=1").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].id", equalTo(second))
                .body("nextCursor", notNullValue()).extract().path("nextCursor");
        String next = given().queryParam("namespace", "shop").queryParam("limit", 1).queryParam("cursor", cursor)
                .get("/api/v1/analyses").then().statusCode(200).body("items", hasSize(1)).extract().path("items[0].id");
        assertNotEquals(second, next);
        assertEquals(first, next, "the analysis created just before");
        given().get("/api/v1/analyses?service=checkout&namespace=shop").then().statusCode(200)
                .body("items.service", not(hasItem("cart")));
    }

    /** A list item is the single analysis's summary: the same fields, values and order, without the details. */
    @Test
    void listItemIsTheSingleAnalysisWithoutItsDetails() throws Exception {
        String id = "same-" + System.nanoTime();
        String location = given().contentType("application/json").body(DemoScenario.event(id, "cart", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(location).then()
                .body("verdict", notNullValue()).body("publishedAt", notNullValue()));
        ObjectMapper json = new ObjectMapper();
        ObjectNode one = (ObjectNode) json.readTree(given().get(location).then().statusCode(200).extract().asString());
        JsonNode page = json.readTree(given().get("/api/v1/analyses?service=cart&namespace=shop&limit=500")
                .then().statusCode(200).contentType("application/json").extract().asString());
        JsonNode item = null;
        for (JsonNode i : page.path("items")) {
            if (id.equals(i.path("eventId").asText())) {
                item = i;
            }
        }
        assertNotNull(item, "the analysis is listed");
        for (String detail : List.of("metrics", "decisions", "templateDefinition", "measurements", "rollback")) {
            assertNotNull(one.remove(detail), "the single analysis carries " + detail);
        }
        assertEquals(one, item);
        List<String> order = new ArrayList<>();
        item.fieldNames().forEachRemaining(order::add);
        assertEquals(List.of("id", "eventId", "deploymentId", "namespace", "service", "environment", "template", "phase",
                "verdict", "score", "reason", "canary", "stable", "startedAt", "interval", "measurementCount",
                "createdAt", "completedAt", "publishedAt"), order);
        assertEquals(item.path("createdAt").asText(), Instant.parse(item.path("createdAt").asText()).toString());
    }

    @Test
    void listFiltersByVerdict() {
        given().contentType("application/json").body(DemoScenario.event("abort-" + System.nanoTime(), "checkout", startedAt))
                .post("/api/v1/analyses").then().statusCode(202);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/api/v1/analyses?verdict=ABORT").then().statusCode(200)
                        .body("items.verdict", not(hasItem("PROMOTE"))).body("items.verdict", hasItem("ABORT")));
    }

    @Test
    void badQueryParametersAreProblems() {
        given().get("/api/v1/analyses?verdict=MAYBE").then().statusCode(400).body("errors[0].field", equalTo("verdict"));
        given().get("/api/v1/analyses?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().get("/api/v1/analyses?cursor=%%%").then().statusCode(400).body("errors[0].field", equalTo("cursor"));
        given().get("/api/v1/analyses?since=yesterday").then().statusCode(400).body("errors[0].field", equalTo("since"));
    }

    @Test
    void readinessCoversWhatAnsweringNeedsAndWellnessTheDependencies() {
        // the store and the templates are needed to answer; Prometheus and Kafka are reported, not required
        // (DependencyHealthTest: an outage leaves the pod ready)
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("templates"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("prometheus")));
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.name", hasItem("prometheus"))
                .body("checks.name", hasItem("kafka"));
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem("SmallRye Reactive Messaging - liveness check"));
    }

    @Test
    void openApiAndMetricsAreServed() {
        given().get("/q/openapi?format=json").then().statusCode(200).body("paths", notNullValue())
                .body(containsString("/api/v1/analyses"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("canary_analysis_pending_measurements"))
                .body(containsString("canary_analysis_in_flight"))
                .body(containsString("canary_analysis_queued_measurements "));
    }

    /** The lateness timer records one observation per stored measurement: due instant to stored result. */
    @Test
    void everyStoredMeasurementRecordsItsLateness() {
        double before = metric("canary_analysis_measurement_lateness_seconds_count");
        String location = given().contentType("application/json")
                .body(DemoScenario.event("late-" + System.nanoTime(), "inventory", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(location).then()
                .body("phase", not(oneOf("PENDING", "RUNNING"))));
        int stored = given().get(location).then().extract().path("measurements.size()");
        // other tests' analyses may run at the same time: at least this analysis's measurements were counted
        assertTrue(metric("canary_analysis_measurement_lateness_seconds_count") - before >= stored);
        // a backtest's windows closed long ago (the demo workload lies in the past): its lateness is their age
        double ageOfFirstWindow = Duration.between(startedAt, Instant.now()).toSeconds() - 600;
        assertTrue(metric("canary_analysis_measurement_lateness_seconds_max") >= ageOfFirstWindow,
                "max lateness at least the age of the window ends");
    }

    private static double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void completedAnalysisCarriesPublicationTime() {
        String id = "pub-" + System.nanoTime();
        String location = given().contentType("application/json").body(DemoScenario.event(id, "checkout", startedAt))
                .post("/api/v1/analyses").then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get(location).then()
                .body("verdict", equalTo("ABORT")).body("publishedAt", notNullValue()).body("reason", not(nullValue())));
    }

    @Test
    void newStartSupersedesTheRunningAnalysisAndCancelStopsIt() {
        Instant live = Instant.now().minusSeconds(5);
        String first = given().contentType("application/json").body(DemoScenario.event("live-1-" + System.nanoTime(),
                "payments", live)).post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        given().get("/api/v1/analyses/" + first).then().body("phase", oneOf("PENDING", "RUNNING")).body("verdict", nullValue());
        String second = given().contentType("application/json").body(DemoScenario.event("live-2-" + System.nanoTime(),
                "payments", live)).post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        given().get("/api/v1/analyses/" + first).then().body("phase", equalTo("CANCELLED"))
                .body("reason", containsString(second));
        given().contentType("application/json")
                .body("{\"id\":\"cancel-" + System.nanoTime() + "\",\"type\":\"canary.cancelled\",\"namespace\":\"shop\","
                        + "\"service\":\"payments\"}")
                .post("/api/v1/analyses").then().statusCode(202).body("id", equalTo(second))
                .body("phase", equalTo("CANCELLED"));
        given().get("/api/v1/analyses/" + second).then().body("phase", equalTo("CANCELLED")).body("verdict", nullValue());
    }
}
