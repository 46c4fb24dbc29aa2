package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.VerificationResult.Status;
import io.canaryjudge.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry behind HTTP basic auth (htpasswd file of bcrypt entries, as the registry requires): the credentials
 * come from a docker config file; without them, or with wrong ones, the answer is "could not check".
 */
class RegistryAuthTest {
    @TempDir
    static Path dir;
    static RegistryServer registry;
    static KeyPair key;
    static ImageReference image;

    @BeforeAll
    static void setUp() throws Exception {
        registry = RegistryServer.startWithBasicAuth(dir.resolve("registry"), "deployer", "s3cret-pass");
        key = CosignFixtures.p256();
        image = pushImage(registry, "team/private", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, key.getPrivate())));
    }

    @AfterAll
    static void tearDown() {
        registry.close();
    }

    static Path dockerConfig(String name, String user, String password) throws Exception {
        Path file = dir.resolve(name).resolve("config.json");
        Files.createDirectories(file.getParent());
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, "{\n  \"auths\": {\n    \"" + registry.host() + "\": {\"auth\": \"" + auth + "\"},\n"
                + "    \"https://index.docker.io/v1/\": {\"auth\": \"" + Base64.getEncoder().encodeToString(
                "someone:else".getBytes(StandardCharsets.UTF_8)) + "\"}\n  },\n  \"credsStore\": \"desktop\"\n}\n");
        return file;
    }

    static CosignVerifier verifier(DockerConfig config) {
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults().withTimeout(Duration.ofSeconds(5))
                .withInsecureHosts(Set.of(registry.host())).withCredentials(config));
        return new CosignVerifier(client, List.of(AcceptedKey.of(key.getPublic())));
    }

    @Test
    void credentialsFromADockerConfigFileOpenThePrivateRegistry() throws Exception {
        DockerConfig config = DockerConfig.load(dockerConfig("good", "deployer", "s3cret-pass"));
        assertEquals("deployer", config.credentialsFor(registry.host()).orElseThrow().username());
        assertFalse(config.credentialsFor(registry.host()).orElseThrow().toString().contains("s3cret"));
        long challenged = registry.requests("GET", "/v2/team/private/manifests/" + image.signatureTag());

        VerificationResult r = verifier(config).verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(AcceptedKey.of(key.getPublic()).keyId(), r.keyId());
        // the first request is challenged (401) and answered again with Basic; the registry logged the user
        List<String> sigTag = registry.accessLog().stream()
                .filter(l -> l.startsWith("GET /v2/team/private/manifests/" + image.signatureTag())).toList();
        assertEquals(challenged + 2, sigTag.size(), sigTag.toString());
        assertTrue(registry.accessLog().stream().anyMatch(l -> l.contains(" 401 ")));
    }

    @Test
    void withoutCredentialsItIsCouldNotCheck() {
        VerificationResult r = verifier(DockerConfig.empty()).verify(image);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().startsWith("registry refused access: " + registry.host() + " refused access to manifest "
                + "team/private:" + image.signatureTag() + " (HTTP 401"), r.reason());
    }

    @Test
    void wrongCredentialsAreCouldNotCheck() throws Exception {
        VerificationResult r = verifier(DockerConfig.load(dockerConfig("wrong", "deployer", "guess"))).verify(image);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().contains("(HTTP 401"), r.reason());
        assertFalse(r.reason().contains("guess"), "no credential in the reason");
    }
}
