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
 * Keyless identities in the signature policy ({@code canary.signatures.identities.<name>},
 * {@code canary.signatures.namespaces.<ns>.identities}, {@code canary.signatures.trusted-root}) against a real registry
 * on loopback, with bundles made by {@link TestSigstore}.
 */
class KeylessPolicyTest {
    static final String ISSUER = KeylessVerificationTest.ISSUER;
    static final String WORKFLOW = KeylessVerificationTest.WORKFLOW;
    static final String SHOP = ISSUER + "|https://github\\.com/acme/shop/.*";
    static final String LEDGER = ISSUER + "|https://github\\.com/acme/ledger/.*";

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
                "canary.signatures.identities.shop-release", SHOP,
                "canary.signatures.identities.ledger-release", LEDGER,
                "canary.signatures.namespaces.shop.identities", "shop-release",
                "canary.signatures.namespaces.ledger.identities", "ledger-release"));

        SignatureCheck ok = check(s, "shop", keyless);
        assertTrue(ok.allowed(), ok.reason());
        assertEquals("VERIFIED", ok.status());
        assertEquals(ISSUER + "|" + WORKFLOW, ok.keyId());
        assertTrue(check(s, "shop", keyed).allowed(), "the keys stay accepted beside the identity");

        SignatureCheck ledger = check(s, "ledger", keyless);
        assertFalse(ledger.allowed(), "ledger accepts only its own workflow");
        assertEquals("REJECTED", ledger.status());
        assertTrue(ledger.reason().contains("No provided certificate identities matched"), ledger.reason());
        assertTrue(check(s, "cart", keyless).allowed(), "a namespace naming none accepts every identity");
    }

    @Test
    void identitiesAloneAreEnough() throws Exception {
        Signatures s = policy(Map.of(), Map.of("canary.signatures.mode", "required",
                "canary.signatures.identities.shop-release", SHOP));

        assertTrue(check(s, "shop", keyless).allowed());
        SignatureCheck keyedOnly = check(s, "shop", keyed);
        assertFalse(keyedOnly.allowed(), "no key is configured: a keyed signature verifies nothing");
        assertEquals("REJECTED", keyedOnly.status());
    }

    /**
     * The expression reaches the verifier with its backslashes: {@code github\.com} does not accept a SAN with
     * {@code githubxcom} (a list-valued property would have been split, dropping them, and accepted it).
     */
    @Test
    void anEscapedDotInTheExpressionStaysALiteralDot() throws Exception {
        ImageReference lookalike = KeylessVerificationTest.signedImage("keyless-policy/lookalike", sigstore,
                Signer.of("https://githubxcom/acme/shop/.github/workflows/release.yml@refs/heads/main", ISSUER),
                java.time.Duration.ofSeconds(30), Tweak.NONE);
        Path pem = dir.resolve("env.pub");
        Files.writeString(pem, AcceptedKey.of(release.getPublic()).pem());
        SignatureConfig config = new io.smallrye.config.SmallRyeConfigBuilder().addDefaultInterceptors()
            .withSources(new io.smallrye.config.EnvConfigSource(Map.of("CANARY_SIGNATURES_MODE", "required",
                "CANARY_SIGNATURES_IDENTITIES_SHOP", SHOP,
                "CANARY_SIGNATURES_TRUSTED_ROOT", root.toString(),
                "CANARY_SIGNATURES_INSECURE_REGISTRIES", registry.host()), 300))
            .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
            .withMapping(SignatureConfig.class).build().getConfigMapping(SignatureConfig.class);
        Signatures s = new Signatures(config, java.time.Clock.systemUTC(), meters);

        assertTrue(check(s, "shop", keyless).allowed());
        SignatureCheck c = check(s, "shop", lookalike);
        assertFalse(c.allowed(), c.reason());
        assertTrue(c.reason().contains("githubxcom"), c.reason());
    }

    @Test
    void aKeylessPolicyThatCannotWorkStopsTheServiceWithTheReason() {
        IllegalStateException noRoot = assertThrows(IllegalStateException.class, () -> SignatureTesting.signatures(
                registry, dir, Map.of(), Map.of("canary.signatures.mode", "required",
                        "canary.signatures.identities.shop", SHOP), meters));
        assertTrue(noRoot.getMessage().contains("need a pinned trusted root"), noRoot.getMessage());
        IllegalStateException malformed = assertThrows(IllegalStateException.class, () -> policy(Map.of(),
                Map.of("canary.signatures.mode", "warn", "canary.signatures.identities.shop", ISSUER)));
        assertTrue(malformed.getMessage().startsWith("canary.signatures.identities.shop: expected <issuer>|"),
                malformed.getMessage());
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> policy(Map.of(),
                Map.of("canary.signatures.mode", "warn", "canary.signatures.identities.shop", SHOP,
                        "canary.signatures.namespaces.cart.identities", "nobody")));
        assertTrue(unknown.getMessage().contains("names identity 'nobody'"), unknown.getMessage());
        IllegalStateException unreadable = assertThrows(IllegalStateException.class, () -> policy(Map.of(),
                Map.of("canary.signatures.mode", "warn", "canary.signatures.identities.shop", SHOP,
                        "canary.signatures.trusted-root", dir.resolve("absent.json").toString())));
        assertTrue(unreadable.getMessage().startsWith("canary.signatures.trusted-root: cannot read"),
                unreadable.getMessage());
    }
}
