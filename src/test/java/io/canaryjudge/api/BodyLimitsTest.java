package io.canaryjudge.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Bodies are bounded per route before they are read: small JSON routes at 256 KiB (413 beyond, 411 without a
 * length), /api/v1/compare at 64 MiB for its raw samples.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class BodyLimitsTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void aLargeBodyOnASmallRouteIs413BeforeItIsRead() {
        String big = "{\"id\":\"" + "x".repeat(300 * 1024) + "\"}";
        given().contentType("application/json").body(big).post("/api/v1/analyses").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:canary-judge:problem:body-too-large"))
                .body("detail", containsString("exceeds the limit of 262144 bytes on /api/v1/analyses"));
        given().contentType("application/json").body(big).post("/api/v1/flagger/gate").then().statusCode(413);
        given().contentType("application/json").body(big).post("/canary/http-golden-signals?application=x")
                .then().statusCode(413);
    }

    @Test
    void compareKeepsRoomForItsSamples() {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            values.append(i == 0 ? "" : ",").append(100 + i % 37);
        }
        String body = "{\"canary\":[" + values + "],\"stable\":[" + values + "]}";
        assertTrue(body.length() > 262_144, "larger than the small routes' limit: " + body.length());
        given().contentType("application/json").body(body).post("/api/v1/compare").then().statusCode(200);
    }

    @Test
    void aChunkedBodyOnASmallRouteIs411() throws Exception {
        byte[] event = "{\"id\":\"chunked\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(root.toString().replaceAll("/$", "") + "/api/v1/analyses"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(event))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(411, r.statusCode(), r.body());
        assertTrue(r.body().contains("Content-Length"), r.body());
    }
}
