package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static io.canaryjudge.supplychain.SignatureTesting.repository;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.SignatureCheck.Purpose;
import io.canaryjudge.testing.RegistryServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signature policy (modes, namespaces, keys, unreachable registry) against a real registry on loopback. */
class SignaturesTest {
    static RegistryServer registry;
    static KeyPair release;
    static KeyPair other;
    static ImageReference signed;
    static ImageReference unsigned;
    static ImageReference strangers;

    @TempDir
    Path dir;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeAll
    static void images() throws Exception {
        registry = RegistryServer.shared();
        release = CosignFixtures.p256();
        other = CosignFixtures.ed25519();
        KeyPair stranger = CosignFixtures.p256();
        signed = pushImage(registry, "policy/signed", "v1");
        pushSignatures(registry, signed, List.of(signedLayer(signed, release.getPrivate())));
        unsigned = pushImage(registry, "policy/unsigned", "v1");
        strangers = pushImage(registry, "policy/strangers", "v1");
        pushSignatures(registry, strangers, List.of(signedLayer(strangers, stranger.getPrivate())));
    }

    private Signatures policy(Map<String, String> properties) throws Exception {
        return SignatureTesting.signatures(registry, dir, Map.of("release", release, "other", other), properties,
            meters);
    }

    private static SignatureCheck check(Signatures s, String namespace, ImageReference image) {
        return s.check(namespace, repository(image), image.digest(), Purpose.PROMOTE);
    }

    @Test
    void requiredAllowsOnlyADigestSignedByAnAcceptedKey() throws Exception {
        Signatures s = policy(Map.of("canary.signatures.mode", "required"));

        SignatureCheck ok = check(s, "shop", signed);
        assertTrue(ok.allowed(), ok.reason());
        assertEquals("VERIFIED", ok.status());
        assertEquals(AcceptedKey.of(release.getPublic()).keyId(), ok.keyId());
        assertEquals(signed.toString(), ok.image());

        SignatureCheck none = check(s, "shop", unsigned);
        assertFalse(none.allowed());
        assertEquals("UNSIGNED", none.status());
        assertTrue(none.reason().contains(unsigned.signatureTag()), none.reason());

        SignatureCheck stranger = check(s, "shop", strangers);
        assertFalse(stranger.allowed());
        assertEquals("REJECTED", stranger.status());
        assertNull(stranger.keyId());
        assertEquals(1.0, meters.counter("canary.signature.checks", "purpose", "promote", "status", "unsigned",
            "allowed", "false").count());
    }

    @Test
    void warnReportsButNeverBlocksAndOffAsksNothing() throws Exception {
        Signatures warn = policy(Map.of("canary.signatures.mode", "warn"));
        SignatureCheck c = check(warn, "shop", unsigned);
        assertTrue(c.allowed());
        assertEquals("UNSIGNED", c.status());
        assertEquals(SignatureMode.WARN, c.mode());

        long before = registry.requests("GET", "policy/unsigned");
        Signatures off = policy(Map.of());
        SignatureCheck skipped = check(off, "shop", unsigned);
        assertTrue(skipped.allowed());
        assertEquals(SignatureCheck.NOT_CHECKED, skipped.status());
        assertEquals(before, registry.requests("GET", "policy/unsigned"), "off never asks the registry");
    }

    @Test
    void namespacesOverrideTheModeAndNarrowTheKeys() throws Exception {
        Signatures s = policy(Map.of("canary.signatures.mode", "off",
            "canary.signatures.namespaces.payments.mode", "required",
            "canary.signatures.namespaces.ledger.mode", "required",
            "canary.signatures.namespaces.ledger.keys", "other"));

        assertTrue(check(s, "shop", unsigned).allowed(), "shop follows the service-wide off");
        assertFalse(check(s, "payments", unsigned).allowed());
        assertTrue(check(s, "payments", signed).allowed());
        SignatureCheck narrowed = check(s, "ledger", signed);
        assertFalse(narrowed.allowed(), "ledger accepts only key 'other'; the release key signed it");
        assertEquals("REJECTED", narrowed.status());
    }

    @Test
    void withoutAnImageRepositoryRequiredCannotVerifyAndSaysSo() throws Exception {
        Signatures s = policy(Map.of("canary.signatures.mode", "required"));
        SignatureCheck c = s.check("shop", null, signed.digest(), Purpose.ROLLBACK);
        assertFalse(c.allowed());
        assertEquals(SignatureCheck.NOT_CHECKED, c.status());
        assertTrue(c.reason().contains("names no image repository"), c.reason());
        assertTrue(policy(Map.of("canary.signatures.mode", "warn")).check("shop", null, signed.digest(),
            Purpose.ROLLBACK).allowed());
    }

    @Test
    void anUnreachableRegistryIsCouldNotCheckNotUnsigned() throws Exception {
        Signatures s = policy(Map.of("canary.signatures.mode", "required",
            "canary.signatures.insecure-registries", "127.0.0.1:1", "canary.signatures.timeout", "1s"));
        SignatureCheck c = s.check("shop", "127.0.0.1:1/policy/signed", signed.digest(), Purpose.ROLLBACK);
        assertFalse(c.allowed());
        assertTrue(c.couldNotCheck(), c.status() + ": " + c.reason());
    }

    @Test
    void theWholePolicyCanComeFromEnvironmentVariables() throws Exception {
        Path pem = dir.resolve("env-release.pub");
        java.nio.file.Files.writeString(pem, AcceptedKey.of(release.getPublic()).pem());
        SignatureConfig config = new io.smallrye.config.SmallRyeConfigBuilder().addDefaultInterceptors()
            .withSources(new io.smallrye.config.EnvConfigSource(Map.of("CANARY_SIGNATURES_MODE", "off",
                "CANARY_SIGNATURES_KEYS_RELEASE", pem.toString(),
                "CANARY_SIGNATURES_NAMESPACES_SHOP_MODE", "required",
                "CANARY_SIGNATURES_INSECURE_REGISTRIES", registry.host()), 300))
            .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
            .withMapping(SignatureConfig.class).build().getConfigMapping(SignatureConfig.class);
        Signatures s = new Signatures(config, java.time.Clock.systemUTC(), meters);
        assertEquals(SignatureMode.REQUIRED, s.mode("shop"));
        assertEquals(SignatureMode.OFF, s.mode("cart"));
        assertTrue(check(s, "shop", signed).allowed());
        assertFalse(check(s, "shop", unsigned).allowed());
    }

    @Test
    void aPolicyThatCannotWorkStopsTheServiceWithTheReason() {
        IllegalStateException noKeys = assertThrows(IllegalStateException.class, () -> SignatureTesting.signatures(
            registry, dir, Map.of(), Map.of("canary.signatures.mode", "required"), meters));
        assertTrue(noKeys.getMessage().contains("needs at least one accepted key"), noKeys.getMessage());
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> policy(Map.of(
            "canary.signatures.namespaces.shop.keys", "nobody")));
        assertTrue(unknown.getMessage().contains("names key 'nobody'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> policy(Map.of("canary.signatures.mode", "strict")));
        // every mode off: configured key paths (for other environments) are not read
        assertDoesNotThrow(() -> SignatureTesting.signatures(registry, dir, Map.of(), Map.of(
            "canary.signatures.keys.release", dir.resolve("absent.pub").toString()), meters));
        IllegalStateException unreadable = assertThrows(IllegalStateException.class, () -> SignatureTesting.signatures(
            registry, dir, Map.of(), Map.of("canary.signatures.namespaces.shop.mode", "warn",
                "canary.signatures.keys.release", dir.resolve("absent.pub").toString()), meters));
        assertTrue(unreadable.getMessage().contains("cannot read a public key from"), unreadable.getMessage());
        // an optional registry Secret that is not mounted: anonymous, not a failed start
        assertTrue(assertDoesNotThrow(() -> policy(Map.of("canary.signatures.mode", "required",
            "canary.signatures.docker-config", dir.resolve("absent/.dockerconfigjson").toString())))
            .check("shop", repository(signed), signed.digest(), Purpose.PROMOTE).allowed());
        assertThrows(IllegalArgumentException.class, () -> policy(Map.of("canary.signatures.unsigned", "promote")));
    }
}
