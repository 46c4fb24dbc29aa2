package io.canaryjudge.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** POST /api/v1/compare reproduces R's wilcox.test on every committed golden vector, over real HTTP. */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class CompareResourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reproducesRForEveryGoldenVector() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/judge/wilcox-golden.json")) {
            golden = JSON.readTree(in);
        }
        int checked = 0;
        for (JsonNode c : golden.path("cases")) {
            for (JsonNode r : c.path("results")) {
                ObjectNode req = JSON.createObjectNode();
                req.set("canary", c.path("canary"));
                req.set("stable", c.path("stable"));
                req.put("alternative", r.path("alternative").asText().replace("two.sided", "two-sided"));
                req.put("confidenceLevel", r.path("confidenceLevel").asDouble());
                req.put("method", r.path("method").asText().toLowerCase());
                String body = given().contentType("application/json").body(JSON.writeValueAsString(req))
                        .post("/api/v1/compare").then().statusCode(200).extract().asString();
                JsonNode out = JSON.readTree(body);
                String where = c.path("name").asText() + " " + r;
                boolean exact = r.path("resultMethod").asText().equals("EXACT");
                assertEquals(r.path("resultMethod").asText().toLowerCase(), out.path("method").asText(), where);
                assertEquals(r.path("u").asDouble(), out.path("u").asDouble(), 0.0, where);
                double p = r.path("pValue").asDouble();
                assertEquals(p, out.path("pValue").asDouble(), Math.max(1e-9 * p, 1e-300), where);
                double tol = exact ? 1e-9 : 1e-4;
                check(r.path("estimate"), out.path("shift").path("estimate"), tol, where);
                check(r.path("lower"), out.path("shift").path("lower"), tol, where);
                check(r.path("upper"), out.path("shift").path("upper"), tol, where);
                checked++;
            }
        }
        assertEquals(210, checked);
    }

    private static void check(JsonNode expected, JsonNode actual, double tol, String where) {
        if (expected.isTextual()) { // R's infinite end of a one-sided interval is written as null
            assertNull(actual.isNull() ? null : actual, where);
        } else {
            assertEquals(expected.asDouble(), actual.asDouble(), tol + 1e-9 * Math.abs(expected.asDouble()), where);
        }
    }

    @Test
    void metricSettingsAddAClassificationWithItsReason() {
        given().contentType("application/json")
                .body("{\"canary\":[100,100,100,100,100,100,100,1,1,1],\"stable\":[1,1,1,1,1,1,1,1,1,1],"
                        + "\"direction\":\"increase\",\"tolerance\":0.25,\"minSamples\":5}")
                .post("/api/v1/compare").then().statusCode(200)
                .body("classification", equalTo("HIGH")).body("explanation", containsString("HIGH"));
    }

    @Test
    void withoutAToleranceTheTemplateDefaultOfTenPercentApplies() {
        // canary 5 % above stable in every value: significant, but within a template metric's default 10 % tolerance
        StringBuilder c = new StringBuilder();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            c.append(i == 0 ? "" : ",").append(105 + 0.1 * i);
            s.append(i == 0 ? "" : ",").append(100 + 0.1 * i);
        }
        String body = "{\"canary\":[" + c + "],\"stable\":[" + s + "],\"direction\":\"increase\"";
        given().contentType("application/json").body(body + "}").post("/api/v1/compare").then().statusCode(200)
                .body("classification", equalTo("PASS"));
        given().contentType("application/json").body(body + ",\"tolerance\":0}").post("/api/v1/compare").then()
                .statusCode(200).body("classification", equalTo("HIGH"));
    }

    @Test
    void nanInfinityEmptyAndUnknownAlternativeAreProblems() {
        problem("{\"canary\":[1,\"NaN\",3],\"stable\":[1,2]}", "canary[1]");
        problem("{\"canary\":[1,2,3],\"stable\":[1,\"Infinity\"]}", "stable[1]");
        problem("{\"canary\":[],\"stable\":[1,2]}", "canary");
        problem("{\"canary\":[1,2]}", "stable");
        problem("{\"canary\":[1,2],\"stable\":[3,4],\"alternative\":\"bigger\"}", "alternative");
        problem("{\"canary\":[1,2],\"stable\":[3,4],\"method\":\"bootstrap\"}", "method");
        problem("{\"canary\":[1,2],\"stable\":[3,4],\"confidenceLevel\":1.5}", "confidenceLevel");
        problem("{\"canary\":[1,\"abc\"],\"stable\":[3,4]}", "canary[1]");
        problem("{\"canary\":[1,2],\"stable\":[3,4]", "$");
    }

    @Test
    void moreThanAMillionValuesIsAProblem() throws Exception {
        ArrayNode big = JSON.createArrayNode();
        for (int i = 0; i <= CompareResource.MAX_VALUES; i++) {
            big.add(i % 1000);
        }
        ObjectNode req = JSON.createObjectNode();
        req.set("canary", big);
        req.putArray("stable").add(1).add(2);
        given().contentType("application/json").body(JSON.writeValueAsString(req)).post("/api/v1/compare")
                .then().statusCode(400).body("errors[0].field", equalTo("canary"))
                .body("detail", containsString("1000001 values"));
    }

    private static void problem(String body, String field) {
        given().contentType("application/json").body(body).post("/api/v1/compare")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo(field));
    }
}
