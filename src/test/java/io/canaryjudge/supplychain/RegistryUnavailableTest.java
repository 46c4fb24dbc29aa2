package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.VerificationResult.Status;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.RegistryServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that is down or frozen is "could not check" ({@link Status#UNAVAILABLE}), never "unsigned", within the
 * configured timeout, and that answer is not cached: once the registry is back the same verifier verifies.
 */
class RegistryUnavailableTest {
    @TempDir
    static Path dir;
    static RegistryServer registry;
    static KeyPair key;
    static ImageReference image;

    @BeforeAll
    static void setUp() throws Exception {
        registry = RegistryServer.start(dir.resolve("registry"));
        key = CosignFixtures.p256();
        image = pushImage(registry, "team/app", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, key.getPrivate())));
    }

    @AfterAll
    static void tearDown() {
        registry.close();
    }

    static CosignVerifier verifier(RegistryClient client) {
        return new CosignVerifier(client, List.of(AcceptedKey.of(key.getPublic())));
    }

    @Test
    void aRegistryNobodyListensOnIsCouldNotCheckNotUnsigned() throws Exception {
        int closed = EmbeddedKafka.freePort();
        ImageReference elsewhere = new ImageReference("127.0.0.1:" + closed, image.repository(), image.digest());
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults()
                .withTimeout(Duration.ofSeconds(2)).withInsecureHosts(Set.of(elsewhere.registry())));
        CosignVerifier verifier = verifier(client);

        VerificationResult r = verifier.verify(elsewhere);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.couldNotCheck());
        assertFalse(r.verified());
        assertTrue(r.reason().startsWith("registry unreachable: 127.0.0.1:" + closed), r.reason());
        assertTrue(r.notChecked().stream().anyMatch(s -> s.startsWith("Sigstore bundles could not be listed")),
                r.notChecked().toString());
        long asked = client.requestCount();
        assertEquals(Status.UNAVAILABLE, verifier.verify(elsewhere).status());
        assertTrue(client.requestCount() > asked, "a could-not-check answer is not cached: the registry is asked again");
    }

    @Test
    void aFrozenRegistryTimesOutAsCouldNotCheckAndTheSameVerifierVerifiesOnceItAnswers() {
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults()
                .withTimeout(Duration.ofMillis(700)).withInsecureHosts(Set.of(registry.host())));
        CosignVerifier verifier = verifier(client);
        VerificationResult r;
        long t0 = System.nanoTime();
        registry.signal("STOP"); // accepts connections (the kernel does), never answers
        try {
            r = verifier.verify(image);
        } finally {
            registry.signal("CONT");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().startsWith("registry timed out: " + registry.host() + " did not answer within PT0.7S"),
                r.reason());
        // the signature tag and the bundle lookup each wait one timeout; far below what no timeout would take
        assertTrue(seconds >= 0.7 && seconds < 5, "took " + seconds + " s");

        VerificationResult after = verifier.verify(image);
        assertEquals(Status.VERIFIED, after.status(), after.reason());
    }

    @Test
    void aStoppedRegistryIsCouldNotCheck() {
        RegistryServer gone = RegistryServer.start(dir.resolve("gone"));
        ImageReference there = pushImage(gone, "team/app", "v1");
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults()
                .withTimeout(Duration.ofSeconds(2)).withInsecureHosts(Set.of(gone.host())));
        CosignVerifier verifier = verifier(client);
        assertEquals(Status.UNSIGNED, verifier.verify(there).status());
        verifier.invalidateAll();
        gone.close();

        VerificationResult r = verifier.verify(there);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().startsWith("registry unreachable: "), r.reason());
    }
}
