package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.attachBundles;
import static io.canaryjudge.supplychain.CosignFixtures.dsseBundle;
import static io.canaryjudge.supplychain.CosignFixtures.payload;
import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.sign;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static io.canaryjudge.supplychain.CosignFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.CosignFixtures.SignatureLayer;
import io.canaryjudge.supplychain.VerificationResult.Method;
import io.canaryjudge.supplychain.VerificationResult.Status;
import io.canaryjudge.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keyed cosign verification against a real registry (Debian's docker-registry on loopback), every image and
 * signature pushed through the registry's HTTP API in cosign's layout, with keys made here.
 */
class CosignVerifierTest {
    static RegistryServer registry;
    static KeyPair p256;
    static KeyPair ed25519;
    static KeyPair stranger;
    static AcceptedKey p256Key;
    static AcceptedKey edKey;

    @BeforeAll
    static void setUp() throws Exception {
        registry = RegistryServer.shared();
        p256 = CosignFixtures.p256();
        ed25519 = CosignFixtures.ed25519();
        stranger = CosignFixtures.p256();
        p256Key = AcceptedKey.of(p256.getPublic());
        edKey = AcceptedKey.of(ed25519.getPublic());
    }

    static RegistryClient client() {
        return new RegistryClient(RegistryClient.Settings.defaults().withTimeout(Duration.ofSeconds(5))
                .withInsecureHosts(Set.of(registry.host())));
    }

    static CosignVerifier verifier(RegistryClient client) {
        return new CosignVerifier(client, List.of(p256Key, edKey));
    }

    /** The key id computed independently: SHA-256 of the DER SubjectPublicKeyInfo, first 16 hex digits. */
    static String expectedKeyId(KeyPair pair) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded()))
                .substring(0, 16);
    }

    @Test
    void signedWithP256IsVerifiedByThatKey() throws Exception {
        ImageReference image = pushImage(registry, "team/app-p256", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, p256.getPrivate())));

        VerificationResult r = verifier(client()).verify(image.toString());

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertTrue(r.verified());
        assertEquals(Method.COSIGN_SIGNATURE_TAG, r.method());
        assertEquals(expectedKeyId(p256), r.keyId());
        assertEquals(p256Key.keyId(), r.keyId());
        assertEquals(registry.host() + "/team/app-p256", r.dockerReference());
        assertTrue(r.reason().contains("by key " + expectedKeyId(p256)), r.reason());
        assertTrue(r.notChecked().stream().anyMatch(s -> s.contains("keyless")), r.notChecked().toString());
        assertTrue(r.bundles().isEmpty());
    }

    @Test
    void signedWithEd25519IsVerifiedByThatKey() throws Exception {
        ImageReference image = pushImage(registry, "team/app-ed25519", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, ed25519.getPrivate())));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(expectedKeyId(ed25519), r.keyId());
        assertEquals(AcceptedKey.Algorithm.ED25519, edKey.algorithm());
    }

    @Test
    void aSignatureAmongOthersIsFound() throws Exception {
        // cosign appends a layer per signature: one by a stranger, then one by the accepted Ed25519 key
        ImageReference image = pushImage(registry, "team/app-two-sigs", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, stranger.getPrivate()),
                signedLayer(image, ed25519.getPrivate())));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(expectedKeyId(ed25519), r.keyId());
    }

    @Test
    void unsignedIsUnsignedAndTheReasonNamesTheMissingTag() {
        ImageReference image = pushImage(registry, "team/unsigned", "v1");

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.UNSIGNED, r.status());
        assertFalse(r.verified());
        assertFalse(r.couldNotCheck());
        assertNull(r.keyId());
        assertTrue(r.reason().startsWith("no signature tag sha256-" + image.digestHex() + ".sig in " + registry.host()
                + "/team/unsigned"), r.reason());
        assertEquals(1, registry.requests("GET", "/v2/team/unsigned/manifests/" + image.signatureTag()));
    }

    @Test
    void signedByAnotherKeyIsRejected() throws Exception {
        ImageReference image = pushImage(registry, "team/stranger", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, stranger.getPrivate())));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("signature by a key not accepted"), r.reason());
        assertTrue(r.reason().contains(p256Key.keyId()) && r.reason().contains(edKey.keyId()), r.reason());
        // the stranger's own key would verify it: the layout is right, only the key is not accepted
        VerificationResult own = new CosignVerifier(client(), List.of(AcceptedKey.of(stranger.getPublic()))).verify(image);
        assertEquals(Status.VERIFIED, own.status(), own.reason());
    }

    @Test
    void tamperedPayloadNoLongerMatchesItsSignature() throws Exception {
        ImageReference image = pushImage(registry, "team/tampered", "v1");
        SignatureLayer genuine = signedLayer(image, p256.getPrivate());
        // the payload edited after signing (another docker-reference), pushed with its own correct digest
        byte[] edited = new String(genuine.payload(), StandardCharsets.UTF_8)
                .replace("team/tampered", "team/elsewhere").getBytes(StandardCharsets.UTF_8);
        pushSignatures(registry, image, List.of(new SignatureLayer(edited, genuine.signatureBase64())));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("signature by a key not accepted, or over other bytes"), r.reason());
        assertNull(r.dockerReference());
    }

    @Test
    void aValidSignatureOfAnotherDigestIsRejected() throws Exception {
        ImageReference signed = pushImage(registry, "team/copied", "v1");
        ImageReference target = pushImage(registry, "team/copied", "v2");
        // a genuine signature of v1, copied to v2's signature tag
        pushSignatures(registry, target, List.of(signedLayer(signed, p256.getPrivate())));

        VerificationResult r = verifier(client()).verify(target);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("payload names digest " + signed.digest() + " not " + target.digest()), r.reason());
    }

    @Test
    void layerBytesNotMatchingTheDescriptorDigestAreRejected() throws Exception {
        ImageReference image = pushImage(registry, "team/corrupt", "v1");
        SignatureLayer layer = signedLayer(image, p256.getPrivate());
        pushSignatures(registry, image, List.of(layer));
        String payloadDigest = RegistryServer.digest(layer.payload());
        // the stored payload's bytes changed on the registry's disk (same length): it serves them as they are
        byte[] changed = layer.payload().clone();
        changed[changed.length - 3] ^= 0x01;
        registry.overwriteStoredBlob(payloadDigest, changed);

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("layer digest mismatch: the descriptor names " + payloadDigest
                + " but the blob served is " + RegistryServer.digest(changed)), r.reason());
    }

    @Test
    void aSignatureTagWithoutSimpleSigningLayersIsRejected() {
        ImageReference image = pushImage(registry, "team/not-a-sig", "v1");
        // something else pushed under the signature tag: an ordinary image manifest
        byte[] other = registry.getManifest("team/not-a-sig", image.digest());
        registry.putManifest("team/not-a-sig", image.signatureTag(), "application/vnd.oci.image.manifest.v1+json", other);

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("holds no " + CosignVerifier.SIMPLE_SIGNING + " layer"), r.reason());
    }

    @Test
    void theCacheAnswersTheSecondCallWithoutAskingTheRegistry() throws Exception {
        ImageReference image = pushImage(registry, "team/cached", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, p256.getPrivate())));
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        RegistryClient client = client();
        CosignVerifier verifier = new CosignVerifier(client, List.of(p256Key),
                CosignVerifier.Options.defaults().withTtls(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ZERO),
                clock);
        String sigTag = "/v2/team/cached/manifests/" + image.signatureTag();

        VerificationResult first = verifier.verify(image);
        long asked = client.requestCount();
        clock.advance(Duration.ofMinutes(9));
        VerificationResult second = verifier.verify(image);

        assertEquals(Status.VERIFIED, first.status(), first.reason());
        assertEquals(first, second);
        assertEquals(Instant.parse("2026-03-01T10:00:00Z"), second.checkedAt());
        assertEquals(asked, client.requestCount(), "the second call sent no request");
        assertEquals(1, registry.requests("GET", sigTag), "the registry saw the signature tag read once");

        clock.advance(Duration.ofMinutes(2)); // past the verified TTL
        VerificationResult third = verifier.verify(image);
        assertEquals(Status.VERIFIED, third.status());
        assertEquals(Instant.parse("2026-03-01T10:11:00Z"), third.checkedAt());
        assertEquals(2, registry.requests("GET", sigTag));
    }

    @Test
    void anUnsignedAnswerIsCachedForItsShorterTtlThenTheNewSignatureIsSeen() throws Exception {
        ImageReference image = pushImage(registry, "team/signed-later", "v1");
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        CosignVerifier verifier = new CosignVerifier(client(), List.of(p256Key), CosignVerifier.Options.defaults(), clock);

        assertEquals(Status.UNSIGNED, verifier.verify(image).status());
        pushSignatures(registry, image, List.of(signedLayer(image, p256.getPrivate())));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Status.UNSIGNED, verifier.verify(image).status(), "still the cached answer");
        assertEquals(1, registry.requests("GET", "/v2/team/signed-later/manifests/" + image.signatureTag()));

        clock.advance(Duration.ofSeconds(31)); // past the one-minute negative TTL
        VerificationResult r = verifier.verify(image);
        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(2, registry.requests("GET", "/v2/team/signed-later/manifests/" + image.signatureTag()));
    }

    @Test
    void aKeyedDsseBundleVerifiesTheImageThroughTheReferrersTagFallback() throws Exception {
        ImageReference image = pushImage(registry, "team/bundled", "v1");
        byte[] bundle = dsseBundle(statement(image.digestHex(), CosignVerifier.COSIGN_SIGN_PREDICATE), p256.getPrivate(),
                "release-key");
        List<String> manifests = attachBundles(registry, image, List.of(bundle));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(Method.SIGSTORE_BUNDLE, r.method());
        assertEquals(p256Key.keyId(), r.keyId());
        assertEquals(1, r.bundles().size());
        BundleReport b = r.bundles().get(0);
        assertEquals(manifests.get(0), b.manifestDigest());
        assertEquals("dsse-envelope", b.content());
        assertEquals(CosignVerifier.COSIGN_SIGN_PREDICATE, b.predicateType());
        assertEquals("public-key", b.material());
        assertTrue(b.verified() && b.signsImage());
        // this registry has no referrers API (404): the tag sha256-<hex> was read instead
        assertEquals(1, registry.requests("GET", "/v2/team/bundled/referrers/" + image.digest()));
        assertEquals(1, registry.requests("GET", "/v2/team/bundled/manifests/" + image.referrersTag() + " "));
    }

    @Test
    void anAttestationBundleIsReportedButDoesNotSignTheImage() throws Exception {
        ImageReference image = pushImage(registry, "team/attested", "v1");
        byte[] provenance = dsseBundle(statement(image.digestHex(), "https://slsa.dev/provenance/v1"), p256.getPrivate(), "k");
        attachBundles(registry, image, List.of(provenance));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        BundleReport b = r.bundles().get(0);
        assertTrue(b.verified());
        assertFalse(b.signsImage());
        assertEquals("https://slsa.dev/provenance/v1", b.predicateType());
        assertTrue(r.reason().contains("no signature tag") && r.reason().contains("not cosign's signature predicate"),
                r.reason());
    }

    @Test
    void aBundleByAnotherKeyOrForAnotherDigestIsNotVerified() throws Exception {
        ImageReference image = pushImage(registry, "team/bad-bundles", "v1");
        byte[] byStranger = dsseBundle(statement(image.digestHex(), CosignVerifier.COSIGN_SIGN_PREDICATE),
                stranger.getPrivate(), "k");
        byte[] otherSubject = dsseBundle(statement("ab".repeat(32), CosignVerifier.COSIGN_SIGN_PREDICATE),
                p256.getPrivate(), "k");
        attachBundles(registry, image, List.of(byStranger, otherSubject));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertEquals(2, r.bundles().size());
        assertFalse(r.bundles().get(0).verified());
        assertTrue(r.bundles().get(0).note().contains("key not accepted"), r.bundles().get(0).note());
        assertFalse(r.bundles().get(1).verified());
        assertTrue(r.bundles().get(1).note().contains("does not name " + image.digest()), r.bundles().get(1).note());
    }

    @Test
    void aMessageSignatureBundleOverTheManifestVerifiesWithP256AndEd25519() throws Exception {
        for (KeyPair pair : List.of(p256, ed25519)) {
            ImageReference image = pushImage(registry, "team/message-signed", "v-" + pair.getPublic().getAlgorithm());
            byte[] manifest = registry.getManifest(image.repository(), image.digest());
            byte[] bundle = CosignFixtures.messageSignatureBundle(image.digestHex(), sign(pair.getPrivate(), manifest));
            attachBundles(registry, image, List.of(bundle));

            VerificationResult r = verifier(client()).verify(image);

            assertEquals(Status.VERIFIED, r.status(), r.reason());
            assertEquals(Method.SIGSTORE_BUNDLE, r.method());
            assertEquals(expectedKeyId(pair), r.keyId());
            assertEquals("message-signature", r.bundles().get(0).content());
        }
    }

    @Test
    void aPayloadWithTwoDigestsIsNotReadEitherWay() throws Exception {
        ImageReference image = pushImage(registry, "team/duplicate-keys", "v1");
        ImageReference other = pushImage(registry, "team/duplicate-keys", "v2");
        // signed, but ambiguous JSON: a reader keeping the first key sees one digest, one keeping the last another
        byte[] p = ("{\"critical\":{\"identity\":{\"docker-reference\":\"x\"},\"image\":{\"docker-manifest-digest\":\""
                + other.digest() + "\",\"docker-manifest-digest\":\"" + image.digest() + "\"},\"type\":\"cosign container "
                + "image signature\"},\"optional\":null}").getBytes(StandardCharsets.UTF_8);
        pushSignatures(registry, image, List.of(new SignatureLayer(p,
                Base64.getEncoder().encodeToString(sign(p256.getPrivate(), p)))));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("not JSON") && r.reason().contains("Duplicate field"), r.reason());
    }

    @Test
    void aPayloadOfAnotherTypeIsRejected() throws Exception {
        ImageReference image = pushImage(registry, "team/other-type", "v1");
        byte[] p = new String(payload(image, image.digest()), StandardCharsets.UTF_8)
                .replace("cosign container image signature", "atomic container signature").getBytes(StandardCharsets.UTF_8);
        pushSignatures(registry, image, List.of(new SignatureLayer(p,
                Base64.getEncoder().encodeToString(sign(p256.getPrivate(), p)))));

        VerificationResult r = verifier(client()).verify(image);

        assertEquals(Status.REJECTED, r.status());
        assertTrue(r.reason().contains("critical.type is \"atomic container signature\""), r.reason());
    }

    @Test
    void referencesNotAddressedByDigestAreRefusedBeforeAnyRequest() {
        RegistryClient client = client();
        CosignVerifier verifier = verifier(client);
        for (String ref : List.of(registry.host() + "/team/app:v1", registry.host() + "/team/app",
                registry.host() + "/team/app@sha512:" + "a".repeat(128))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> verifier.verify(ref));
            assertNotNull(e.getMessage());
        }
        assertEquals(0, client.requestCount());
    }

    /** A clock the test moves by hand, to pass cache TTLs without waiting. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
