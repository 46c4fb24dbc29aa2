package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static io.canaryjudge.supplychain.SignatureTesting.repository;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.SignatureCheck.Purpose;
import io.canaryjudge.supplychain.TestSigstore.Signer;
import io.canaryjudge.supplychain.TestSigstore.Tweak;
import io.canaryjudge.testing.RegistryServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless identities in the signature policy ({@code canary.signatures.identities},
 * {@code canary.signatures.namespaces.<ns>.identities}, {@code canary.signatures.trusted-root}) against a real registry
 * on loopback, with bundles made by {@link TestSigstore}.
 */
class KeylessPolicyTest {
    static final String ISSUER = KeylessVerificationTest.ISSUER;
    static final String WORKFLOW = KeylessVerificationTest.WORKFLOW;
    static final String SHOP = ISSUER + "|https://github\\.com/acme/shop/.*";

    static RegistryServer registry;
    static TestSigstore sigstore;
    static KeyPair release;
    static ImageReference keyless;
    static ImageReference keyed;

    @TempDir
    static Path dir;
    static Path root;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void images() throws Exception {
        registry = RegistryServer.shared();
        sigstore = TestSigstore.create("policy");
        root = dir.resolve("trusted_root.json");
        Files.writeString(root, sigstore.trustedRootJson());
        release = CosignFixtures.p256();
        keyless = KeylessVerificationTest.signedImage("keyless-policy/app", sigstore, Signer.of(WORKFLOW, ISSUER),
                java.time.Duration.ofSeconds(30), Tweak.NONE);
        keyed = pushImage(registry, "keyless-policy/keyed", "v1");
        pushSignatures(registry, keyed, List.of(signedLayer(keyed, release.getPrivate())));
    }

    private Signatures policy(Map<String, KeyPair> keys, Map<String, String> properties) throws Exception {
        Map<String, String> p = new HashMap<>(properties);
        p.putIfAbsent("canary.signatures.trusted-root", root.toString());
        return SignatureTesting.signatures(registry, dir, keys, p, meters);
    }

    private static SignatureCheck check(Signatures s, String namespace, ImageReference image) {
        return s.check(namespace, repository(image), image.digest(), Purpose.PROMOTE);
    }

    @Test
    void aNamespaceAcceptsItsKeylessIdentityBesidesTheKeys() throws Exception {
        Signatures s = policy(Map.of("release", release), Map.of("canary.signatures.mode", "required",
                "canary.signatures.namespaces.shop.identities", SHOP));

        SignatureCheck ok = check(s, "shop", keyless);
        assertTrue(ok.allowed(), ok.reason());
        assertEquals("VERIFIED", ok.status());
        assertEquals(ISSUER + "|" + WORKFLOW, ok.keyId());
        assertTrue(check(s, "shop", keyed).allowed(), "the keys stay accepted beside the identity");

        SignatureCheck elsewhere = check(s, "cart", keyless);
        assertFalse(elsewhere.allowed(), "cart names no identity and the service-wide list is empty");
        assertEquals("REJECTED", elsewhere.status());
        assertTrue(elsewhere.reason().contains("no keyless identity is accepted here"), elsewhere.reason());
    }

    @Test
    void identitiesAloneAreEnoughAndANamespaceListReplacesTheServiceWideOne() throws Exception {
        Signatures s = policy(Map.of(), Map.of("canary.signatures.mode", "required",
                "canary.signatures.identities", SHOP,
                "canary.signatures.namespaces.ledger.identities", ISSUER + "|https://github\\.com/acme/ledger/.*"));

        assertTrue(check(s, "shop", keyless).allowed());
        SignatureCheck ledger = check(s, "ledger", keyless);
        assertFalse(ledger.allowed());
        assertTrue(ledger.reason().contains("No provided certificate identities matched"), ledger.reason());
        SignatureCheck keyedOnly = check(s, "shop", keyed);
        assertFalse(keyedOnly.allowed(), "no key is configured: a keyed signature verifies nothing");
    }

    @Test
    void aNamespaceWithNothingToAcceptRefusesAndSaysSo() throws Exception {
        Signatures s = policy(Map.of(), Map.of("canary.signatures.mode", "required",
                "canary.signatures.namespaces.shop.identities", SHOP));

        SignatureCheck c = check(s, "cart", keyless);
        assertFalse(c.allowed());
        assertEquals("REJECTED", c.status());
        assertTrue(c.reason().contains("namespace cart accepts no key and no keyless identity"), c.reason());
    }

    @Test
    void aKeylessPolicyThatCannotWorkStopsTheServiceWithTheReason() {
        IllegalStateException noRoot = assertThrows(IllegalStateException.class, () -> SignatureTesting.signatures(
                registry, dir, Map.of(), Map.of("canary.signatures.mode", "required",
                        "canary.signatures.identities", SHOP), meters));
        assertTrue(noRoot.getMessage().contains("need a pinned trusted root"), noRoot.getMessage());
        IllegalStateException malformed = assertThrows(IllegalStateException.class, () -> policy(Map.of(),
                Map.of("canary.signatures.mode", "warn", "canary.signatures.namespaces.shop.identities", ISSUER)));
        assertTrue(malformed.getMessage().contains("canary.signatures.namespaces.shop.identities"),
                malformed.getMessage());
        IllegalStateException unreadable = assertThrows(IllegalStateException.class, () -> policy(Map.of(),
                Map.of("canary.signatures.mode", "warn", "canary.signatures.identities", SHOP,
                        "canary.signatures.trusted-root", dir.resolve("absent.json").toString())));
        assertTrue(unreadable.getMessage().startsWith("canary.signatures.trusted-root: cannot read"),
                unreadable.getMessage());
    }
}
