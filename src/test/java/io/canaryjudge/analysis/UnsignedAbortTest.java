package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** {@code canary.signatures.unsigned=abort}: an unsigned canary the metrics would promote ends ABORT instead. */
@QuarkusTest
@TestProfile(UnsignedAbortTest.AbortUnsigned.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class UnsignedAbortTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** As {@link SignedPromotionTest.Required}, with ABORT for an unverified canary. */
    public static class AbortUnsigned implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.signatures.namespaces.shop.mode", "required",
                "canary.signatures.unsigned", "abort",
                "quarkus.datasource.jdbc.url",
                "jdbc:h2:mem:canary-unsigned-abort-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SignedPromotionTest.SignedImages.class));
        }
    }

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;
    @ConfigProperty(name = "canary.test.repository")
    String repository;
    @ConfigProperty(name = "canary.test.unsigned-digest")
    String unsignedDigest;

    @Test
    void anUnsignedHealthyCanaryIsAborted() throws Exception {
        String eventId = "evt-unsigned-" + System.nanoTime();
        ObjectNode event = (ObjectNode) JSON.readTree(DemoScenario.event(eventId, DemoScenario.GOOD_SERVICE, startedAt));
        ((ObjectNode) event.get("canary")).put("digest", unsignedDigest);
        event.put("image", repository);
        String id = given().contentType("application/json").body(event.toString()).post("/api/v1/analyses")
            .then().statusCode(202).extract().path("id");
        JsonNode[] a = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            a[0] = JSON.readTree(given().get("/api/v1/analyses/" + id).then().statusCode(200).extract().asString());
            return !List.of("PENDING", "RUNNING").contains(a[0].path("phase").asText());
        });
        assertEquals("ABORT", a[0].path("verdict").asText(), a[0].toPrettyString());
        assertEquals("FAILED", a[0].path("phase").asText());
        assertTrue(a[0].path("reason").asText().startsWith("Not promoted: the canary's image signature"),
            a[0].path("reason").asText());
    }
}
