package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** {@code canary.signatures.unsigned=abort}: an unsigned canary the metrics would promote ends ABORT instead. */
@QuarkusTest
@TestProfile(UnsignedAbortTest.AbortUnsigned.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class UnsignedAbortTest {
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
        JsonNode a = SignedPromotionTest.awaitEnd(SignedPromotionTest.start(startedAt, repository, unsignedDigest));
        assertEquals("ABORT", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("FAILED", a.path("phase").asText());
        assertTrue(a.path("reason").asText().startsWith("Not promoted: the canary's image signature"),
            a.path("reason").asText());
    }
}
