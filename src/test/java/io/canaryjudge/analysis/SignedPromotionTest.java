package io.canaryjudge.analysis;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.supplychain.AcceptedKey;
import io.canaryjudge.supplychain.CosignFixtures;
import io.canaryjudge.supplychain.ImageReference;
import io.canaryjudge.supplychain.SignedCases;
import io.canaryjudge.supplychain.TestSigstore;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.testing.RegistryServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An unsigned canary is never promoted: the packaged flow (REST intake, real Prometheus, the shipped template) with
 * {@code canary.signatures} required for namespace shop, and cosign signatures in a real registry on loopback.
 */
@QuarkusTest
@TestProfile(SignedPromotionTest.Required.class)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class SignedPromotionTest {
    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL root;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Signatures required in namespace shop, accepting the key the images are signed with; a database of its own. */
    public static class Required implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("canary.signatures.namespaces.shop.mode", "required",
                "quarkus.datasource.jdbc.url",
                "jdbc:h2:mem:canary-signed-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SignedImages.class));
        }
    }

    /** Two canary images of shop/cart in a real registry, one signed by the accepted key; its PEM on disk. */
    public static class SignedImages implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                RegistryServer registry = RegistryServer.shared();
                KeyPair key = CosignFixtures.p256();
                Map<SignedCases.Case, ImageReference> cases = SignedCases.push(registry, "shop/cart", "canary", key);
                Path pem = Files.createTempFile("release", ".pub");
                Files.writeString(pem, AcceptedKey.of(key.getPublic()).pem());
                // a canary signed keyless by the release workflow, verified against a pinned test trusted root
                TestSigstore sigstore = TestSigstore.create("promotion");
                Path trustedRoot = Files.createTempFile("trusted_root", ".json");
                Files.writeString(trustedRoot, sigstore.trustedRootJson());
                ImageReference keyless = CosignFixtures.pushImage(registry, "shop/cart", "canary-keyless");
                sigstore.sign(registry, keyless, TestSigstore.Signer.of(WORKFLOW, ISSUER));
                Map<String, String> config = new java.util.HashMap<>(Map.of(
                    "canary.signatures.keys.release", pem.toString(),
                    "canary.signatures.insecure-registries", registry.host(),
                    "canary.test.repository", registry.host() + "/shop/cart",
                    "canary.test.signed-digest", cases.get(SignedCases.Case.SIGNED).digest(),
                    "canary.test.unsigned-digest", cases.get(SignedCases.Case.UNSIGNED).digest(),
                    "canary.test.key-id", AcceptedKey.of(key.getPublic()).keyId()));
                cases.forEach((c, image) -> config.put("canary.test.case." + c.name(), image.digest()));
                config.put("canary.signatures.trusted-root", trustedRoot.toString());
                config.put("canary.signatures.identities.shop-release", ISSUER + "|https://github\\.com/acme/shop/.*");
                config.put("canary.test.keyless-digest", keyless.digest());
                return config;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            // the registry is shared by the JVM's tests and stopped at its exit
        }
    }

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;
    @ConfigProperty(name = "canary.test.repository")
    String repository;
    @ConfigProperty(name = "canary.test.signed-digest")
    String signedDigest;
    @ConfigProperty(name = "canary.test.unsigned-digest")
    String unsignedDigest;
    @ConfigProperty(name = "canary.test.key-id")
    String keyId;
    @ConfigProperty(name = "canary.test.keyless-digest")
    String keylessDigest;

    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final String WORKFLOW = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";

    /** The demo's healthy canary of shop/cart, running {@code canaryDigest} of {@code repository}: its analysis id. */
    static String start(Instant startedAt, String repository, String canaryDigest) throws Exception {
        String id = "evt-signed-" + System.nanoTime();
        ObjectNode event = (ObjectNode) JSON.readTree(DemoScenario.event(id, DemoScenario.GOOD_SERVICE, startedAt));
        ((ObjectNode) event.get("canary")).put("digest", canaryDigest);
        event.put("image", repository);
        return given().contentType("application/json").body(event.toString()).post("/api/v1/analyses")
            .then().statusCode(202).extract().path("id");
    }

    private String start(String canaryDigest) throws Exception {
        return start(startedAt, repository, canaryDigest);
    }

    /** The analysis as REST shows it once it has a verdict. */
    static JsonNode awaitEnd(String analysisId) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = JSON.readTree(given().get("/api/v1/analyses/" + analysisId).then().statusCode(200).extract()
                .asString());
            return !last[0].path("verdict").isNull() && !last[0].path("verdict").asText().isEmpty()
                && !List.of("PENDING", "RUNNING").contains(last[0].path("phase").asText());
        });
        return last[0];
    }

    @Test
    void aSignedHealthyCanaryIsPromotedAndTheVerdictSaysWhichKeySignedIt() throws Exception {
        JsonNode a = awaitEnd(start(signedDigest));

        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        JsonNode signature = a.path("signature");
        assertEquals("VERIFIED", signature.path("status").asText(), a.toPrettyString());
        assertEquals(keyId, signature.path("keyId").asText());
        assertEquals(repository + "@" + signedDigest, signature.path("image").asText());
        assertEquals("REQUIRED", signature.path("mode").asText());
    }

    /** The web page says what was verified: the key for a signed canary, the status and reason for an unsigned one. */
    @Test
    void theAnalysisPageShowsWhatTheSignaturePolicyVerified() throws Exception {
        // one after the other: a second start of the same service would supersede the first
        String signed = start(signedDigest);
        awaitEnd(signed);
        String unsigned = start(unsignedDigest);
        awaitEnd(unsigned);
        try (io.canaryjudge.testing.HeadlessChromium browser = io.canaryjudge.testing.HeadlessChromium.start(1280, 900)) {
            browser.navigate(root + "#/analyses/" + signed);
            browser.waitFor("document.getElementById('signature')", Duration.ofSeconds(20));
            assertTrue(browser.evaluate("document.querySelector('#signature .signature').className").asText()
                    .contains("verified"));
            String line = browser.evaluate("document.getElementById('signature').textContent").asText();
            assertTrue(line.startsWith("verified, key " + keyId + " · required · checked "), line);

            browser.navigate(root + "#/analyses/" + unsigned);
            // the signed analysis' element stays until the page re-renders: wait for the unsigned one's
            browser.waitFor("document.querySelector('#signature .signature.unverified')", Duration.ofSeconds(20));
            assertEquals("signature unverified",
                    browser.evaluate("document.querySelector('#signature .signature').className").asText());
            line = browser.evaluate("document.getElementById('signature').textContent").asText();
            assertTrue(line.startsWith("not verified (unsigned) · required"), line);
            assertTrue(line.contains("sha256-" + unsignedDigest.substring(7) + ".sig"), line);
            assertEquals(List.of(), browser.errors());
        }
    }

    /** A canary signed keyless by an accepted identity is promoted; verdict and page name the signer, not a key. */
    @Test
    void aKeylessSignedHealthyCanaryIsPromotedAndThePageNamesTheSigner() throws Exception {
        String id = start(keylessDigest);
        JsonNode a = awaitEnd(id);

        assertEquals("PROMOTE", a.path("verdict").asText(), a.toPrettyString());
        JsonNode signature = a.path("signature");
        assertEquals("VERIFIED", signature.path("status").asText(), a.toPrettyString());
        assertEquals(ISSUER + "|" + WORKFLOW, signature.path("keyId").asText());
        assertTrue(signature.path("reason").asText().contains("log entry 0 (SET, inclusion proof, checkpoint)"),
            signature.path("reason").asText());
        try (io.canaryjudge.testing.HeadlessChromium browser = io.canaryjudge.testing.HeadlessChromium.start(1280, 900)) {
            browser.navigate(root + "#/analyses/" + id);
            browser.waitFor("document.getElementById('signature')", Duration.ofSeconds(20));
            String line = browser.evaluate("document.getElementById('signature').textContent").asText();
            assertTrue(line.startsWith("verified, keyless signer " + WORKFLOW + " (issuer " + ISSUER
                + ") · required · checked "), line);
            assertEquals(List.of(), browser.errors());
        }
    }

    @Test
    void anUnsignedHealthyCanaryIsNeverPromotedNotEvenByAPerson() throws Exception {
        String id = start(unsignedDigest);
        JsonNode a = awaitEnd(id);

        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        String reason = a.path("reason").asText();
        assertTrue(reason.startsWith("Not promoted: the canary's image signature was not verified"), reason);
        assertTrue(reason.contains("sha256-" + unsignedDigest.substring(7) + ".sig"), reason);
        assertTrue(reason.contains("The metrics alone said PROMOTE"), reason);
        assertEquals("UNSIGNED", a.path("signature").path("status").asText());

        given().contentType("application/json").body("{\"action\":\"approve\",\"reason\":\"looks fine\"}")
            .post("/api/v1/analyses/" + id + "/decisions")
            .then().statusCode(409)
            .body("detail", org.hamcrest.Matchers.containsString("not approved: the canary's image signature"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = SignedCases.Case.class,
        names = {"OTHER_KEY", "TAMPERED", "WRONG_DIGEST"})
    void aCanarySignedWronglyIsNotPromotedEither(SignedCases.Case c) throws Exception {
        String digest = org.eclipse.microprofile.config.ConfigProvider.getConfig()
            .getValue("canary.test.case." + c.name(), String.class);
        JsonNode a = awaitEnd(start(digest));

        assertEquals("INCONCLUSIVE", a.path("verdict").asText(), a.toPrettyString());
        assertEquals("REJECTED", a.path("signature").path("status").asText(), a.toPrettyString());
        assertTrue(a.path("reason").asText().startsWith("Not promoted: the canary's image signature"),
            a.path("reason").asText());
    }
}
