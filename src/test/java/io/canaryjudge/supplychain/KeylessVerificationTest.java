package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.attachBundles;
import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.supplychain.TestSigstore.Signer;
import io.canaryjudge.supplychain.TestSigstore.Tweak;
import io.canaryjudge.supplychain.VerificationResult.Method;
import io.canaryjudge.supplychain.VerificationResult.Status;
import io.canaryjudge.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless bundles (Fulcio certificate, Rekor entry) attached to images in a real registry (Debian's docker-registry
 * on loopback), verified offline against a pinned trusted root that names a test CA, a test log and a test CT log
 * ({@link TestSigstore}); every bundle is built here, genuine or with one thing wrong.
 */
class KeylessVerificationTest {
    static final String ISSUER = "https://token.actions.githubusercontent.com";
    static final String WORKFLOW = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
    static final AcceptedIdentity RELEASE = new AcceptedIdentity(ISSUER,
            "https://github\\.com/acme/shop/\\.github/workflows/release\\.yml@refs/heads/.*");

    static RegistryServer registry;
    static TestSigstore sigstore;
    static TestSigstore stranger;
    static KeylessBundles pinned;

    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        registry = RegistryServer.shared();
        sigstore = TestSigstore.create("pinned");
        stranger = TestSigstore.create("stranger");
        Path root = dir.resolve("trusted_root.json");
        Files.writeString(root, sigstore.trustedRootJson());
        pinned = KeylessBundles.load(root);
    }

    static CosignVerifier verifier(List<AcceptedIdentity> identities) {
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults()
                .withTimeout(Duration.ofSeconds(5)).withInsecureHosts(Set.of(registry.host())));
        return new CosignVerifier(client, List.of(), identities, pinned, CosignVerifier.Options.defaults(),
                Clock.systemUTC());
    }

    /** An image in the registry with one keyless bundle of cosign's sign predicate about its digest. */
    static ImageReference signedImage(String repository, TestSigstore by, Signer who, Duration integratedAfter,
                                      Tweak tweak) throws Exception {
        RegistryServer registry = RegistryServer.shared();
        ImageReference image = pushImage(registry, repository, "v1");
        byte[] statement = CosignFixtures.statement(registry.host() + "/" + repository, image.digestHex(),
                CosignVerifier.COSIGN_SIGN_PREDICATE);
        attachBundles(registry, image, List.of(by.dsseBundle(statement, who, integratedAfter, tweak)));
        return image;
    }

    static ImageReference signedImage(String repository, Signer who, Tweak tweak) throws Exception {
        return signedImage(repository, sigstore, who, Duration.ofSeconds(30), tweak);
    }

    @Test
    void aBundleOfAnAcceptedIdentityVerifiesTheImage() throws Exception {
        ImageReference image = signedImage("keyless/genuine", Signer.of(WORKFLOW, ISSUER), Tweak.NONE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(Method.SIGSTORE_KEYLESS_BUNDLE, r.method());
        assertEquals(ISSUER + "|" + WORKFLOW, r.keyId());
        assertTrue(r.reason().contains("by " + WORKFLOW + " (issuer " + ISSUER + ") verified"), r.reason());
        assertTrue(r.reason().contains("chains to the pinned root with a valid SCT"), r.reason());
        assertEquals(CosignVerifier.NOT_CHECKED_KEYLESS, r.notChecked());
        BundleReport b = r.bundles().get(0);
        assertEquals("certificate", b.material());
        assertEquals(1, b.tlogEntries());
        assertTrue(b.verified() && b.signsImage());
        assertEquals(CosignVerifier.COSIGN_SIGN_PREDICATE, b.predicateType());
    }

    @Test
    void aMessageSignatureOverTheManifestByAnAcceptedIdentityVerifiesTheImage() throws Exception {
        ImageReference image = pushImage(registry, "keyless/message", "v1");
        byte[] manifest = registry.getManifest(image.repository(), image.digest());
        attachBundles(registry, image, List.of(sigstore.messageSignatureBundle(manifest, Signer.of(WORKFLOW, ISSUER))));
        ImageReference other = pushImage(registry, "keyless/message", "v2");
        // the genuine bundle of the first image, attached to another one
        attachBundles(registry, other, List.of(sigstore.messageSignatureBundle(manifest, Signer.of(WORKFLOW, ISSUER))));

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);
        VerificationResult copied = verifier(List.of(RELEASE)).verify(other);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(Method.SIGSTORE_KEYLESS_BUNDLE, r.method());
        assertEquals("message-signature", r.bundles().get(0).content());
        assertEquals(Status.REJECTED, copied.status(), copied.reason());
        assertTrue(copied.reason().contains("Provided artifact digest does not match digest used for verification"),
                copied.reason());
    }

    @Test
    void anotherSubjectOfTheSameIssuerIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/other-subject",
                Signer.of("https://github.com/acme/other/.github/workflows/release.yml@refs/heads/main", ISSUER),
                Tweak.NONE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertNull(r.keyId());
        assertTrue(r.reason().contains("No provided certificate identities matched"), r.reason());
        assertTrue(r.reason().contains("acme/other"), r.reason());
    }

    @Test
    void theRightSubjectFromAnotherIssuerIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/other-issuer", Signer.of(WORKFLOW, "https://accounts.google.com"),
                Tweak.NONE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("(issuer https://accounts.google.com) not verified"), r.reason());
        assertTrue(r.reason().contains("No provided certificate identities matched"), r.reason());
    }

    @Test
    void theSubjectExpressionMustMatchTheWholeSan() throws Exception {
        ImageReference image = signedImage("keyless/prefix", Signer.of(WORKFLOW, ISSUER), Tweak.NONE);

        VerificationResult prefixOnly = verifier(List.of(new AcceptedIdentity(ISSUER, "https://github\\.com/acme/shop/")))
                .verify(image);
        VerificationResult any = verifier(List.of(new AcceptedIdentity(ISSUER, "https://github\\.com/acme/shop/.*")))
                .verify(image);

        assertEquals(Status.REJECTED, prefixOnly.status(), prefixOnly.reason());
        assertEquals(Status.VERIFIED, any.status(), any.reason());
    }

    @Test
    void aPayloadEditedAfterSigningIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/tampered", Signer.of(WORKFLOW, ISSUER), Tweak.TAMPERED_PAYLOAD);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("DSSE signature was not valid"), r.reason());
    }

    @Test
    void aCertificateFromACaNotInThePinnedRootIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/untrusted", stranger, Signer.of(WORKFLOW, ISSUER),
                Duration.ofSeconds(30), Tweak.NONE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("Fulcio certificate was not valid"), r.reason());
    }

    @Test
    void aLogEntryNotSignedByThePinnedLogKeyIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/wrong-log-key", Signer.of(WORKFLOW, ISSUER), Tweak.WRONG_LOG_KEY);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("Rekor entry signature was not valid (Entry SET was not valid)"), r.reason());
    }

    @Test
    void aBundleWithoutAnInclusionProofIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/no-proof", Signer.of(WORKFLOW, ISSUER), Tweak.NO_INCLUSION_PROOF);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("not a readable Sigstore bundle: Could not find an inclusion proof"), r.reason());
    }

    @Test
    void anInclusionProofThatDoesNotLeadToItsRootIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/bad-proof", Signer.of(WORKFLOW, ISSUER), Tweak.WRONG_ROOT_HASH);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("Calculated inclusion proof root hash does not match"), r.reason());
    }

    @Test
    void anEntryIntegratedAfterTheCertificateExpiredIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/late", sigstore, Signer.of(WORKFLOW, ISSUER),
                Duration.ofMinutes(11), Tweak.NONE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("Signing time was after certificate expiry"), r.reason());
    }

    @Test
    void aLogEntryNamingAnotherCertificateIsRejected() throws Exception {
        ImageReference image = signedImage("keyless/other-cert", Signer.of(WORKFLOW, ISSUER),
                Tweak.ENTRY_NAMES_OTHER_CERTIFICATE);

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("the log entry does not name the bundle's certificate"), r.reason());
    }

    @Test
    void aGenuineBundleAboutAnotherDigestDoesNotVerifyThisOne() throws Exception {
        ImageReference other = pushImage(registry, "keyless/copied", "other");
        ImageReference image = pushImage(registry, "keyless/copied", "v1");
        byte[] statement = CosignFixtures.statement("x", other.digestHex(), CosignVerifier.COSIGN_SIGN_PREDICATE);
        attachBundles(registry, image, List.of(sigstore.dsseBundle(statement, Signer.of(WORKFLOW, ISSUER),
                Duration.ofSeconds(30))));

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("does not match any subject sha256 digests"), r.reason());
    }

    @Test
    void anAttestationOfAnAcceptedIdentityIsNotASignatureOfTheImage() throws Exception {
        ImageReference image = pushImage(registry, "keyless/attestation", "v1");
        byte[] statement = CosignFixtures.statement("x", image.digestHex(), "https://slsa.dev/provenance/v1");
        attachBundles(registry, image, List.of(sigstore.dsseBundle(statement, Signer.of(WORKFLOW, ISSUER),
                Duration.ofSeconds(30))));

        VerificationResult r = verifier(List.of(RELEASE)).verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        BundleReport b = r.bundles().get(0);
        assertTrue(b.verified(), b.note());
        assertFalse(b.signsImage());
    }

    @Test
    void withoutAcceptedIdentitiesAKeylessBundleIsOnlyReported() throws Exception {
        ImageReference image = signedImage("keyless/no-identities", Signer.of(WORKFLOW, ISSUER), Tweak.NONE);
        RegistryClient client = new RegistryClient(RegistryClient.Settings.defaults()
                .withTimeout(Duration.ofSeconds(5)).withInsecureHosts(Set.of(registry.host())));

        VerificationResult r = new CosignVerifier(client, List.of(AcceptedKey.of(CosignFixtures.p256().getPublic())))
                .verify(image);

        assertEquals(Status.REJECTED, r.status(), r.reason());
        assertTrue(r.reason().contains("no keyless identity is accepted here"), r.reason());
        assertEquals(CosignVerifier.NOT_CHECKED, r.notChecked());
    }

    @Test
    void aTrustedRootThatIsNotOneIsRefusedWhenLoaded() throws Exception {
        Path bad = dir.resolve("not-a-root.json");
        Files.writeString(bad, "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
                + "\"certificateAuthorities\":[{\"certChain\":{\"certificates\":[{\"rawBytes\":\"AAAA\"}]}}]}");

        String notARoot = assertThrows(java.io.IOException.class, () -> KeylessBundles.load(bad)).getMessage();
        assertTrue(notARoot.startsWith("not a usable Sigstore trusted root: "), notARoot);
        Path noLogs = dir.resolve("no-logs.json");
        Files.writeString(noLogs, sigstore.trustedRootJson().replaceFirst("\"tlogs\":\\[.*?\\],\"certificateAuthorities\"",
                "\"tlogs\":[],\"certificateAuthorities\""));
        assertEquals("not a usable Sigstore trusted root: a trusted root needs certificate authorities, tlogs and ctlogs",
                assertThrows(java.io.IOException.class, () -> KeylessBundles.load(noLogs)).getMessage());
        assertEquals("cannot read " + dir.resolve("absent.json"),
                assertThrows(java.io.IOException.class, () -> KeylessBundles.load(dir.resolve("absent.json")))
                        .getMessage());
    }
}
