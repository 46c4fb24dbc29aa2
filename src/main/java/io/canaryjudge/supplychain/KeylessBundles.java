package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.JsonFormat;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.encryption.certificates.Certificates;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.strings.RegexSyntaxException;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Keyless Sigstore bundles checked offline against one pinned trusted root ({@code trusted_root.json} of sigstore's
 * protobuf-specs, read once from a file; nothing is fetched, no TUF), with sigstore-java's {@link KeylessVerifier}.
 * Fields of the file that this sigstore-java version does not know are skipped; a root without a CA, a transparency
 * log or a CT log is refused (nothing could verify against it).
 * A bundle verifies when:
 * <ul>
 *   <li>its certificate chains to a certificate authority of the root that was valid when the certificate was issued,
 *       and carries an embedded SCT signed by a CT log of the root;</li>
 *   <li>the certificate's SAN and OIDC issuer (Fulcio's extensions) are those of an accepted identity;</li>
 *   <li>it has exactly one transparency log entry, of a log of the root: its signed entry timestamp verifies with that
 *       log's key, its inclusion proof leads to the root hash of a checkpoint signed by the same key, and the entry's
 *       integrated time lies within the certificate's validity (the stand-in for "signed while the certificate was
 *       valid");</li>
 *   <li>the signature (DSSE envelope over an in-toto statement whose subject is the digest, or a message signature
 *       over the digest) verifies with the certificate's key, and the log entry records that signature (and, for DSSE,
 *       that payload and this certificate — the last checked here, sigstore-java does not).</li>
 * </ul>
 * Not checked: revocation, freshness of the root (it is what the file says), RFC 3161 timestamps (bundles carrying
 * them are refused). Thread-safe.
 */
public final class KeylessBundles {
    /** Fulcio's OIDC issuer extensions: v2 (a DER UTF8String), v1 (the raw string). */
    private static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    private static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";

    /**
     * What one bundle came to.
     *
     * @param verified       every check above held
     * @param subject        the certificate's SAN, when the certificate could be read
     * @param issuer         the certificate's OIDC issuer, when it could be read
     * @param integratedTime when the log says it integrated the entry; null unless verified
     * @param note           what verified it, or the first check that failed, in words
     */
    public record Outcome(boolean verified, String subject, String issuer, Instant integratedTime, String note) {
    }

    private final Path trustedRoot;
    private final KeylessVerifier verifier;

    private KeylessBundles(Path trustedRoot, KeylessVerifier verifier) {
        this.trustedRoot = trustedRoot;
        this.verifier = verifier;
    }

    /**
     * Reads the trusted root.
     *
     * @throws IOException when the file cannot be read or is not a trusted root with usable CAs and log keys
     */
    public static KeylessBundles load(Path trustedRootJson) throws IOException {
        Objects.requireNonNull(trustedRootJson, "trustedRootJson");
        if (!Files.isReadable(trustedRootJson)) {
            throw new IOException("cannot read " + trustedRootJson);
        }
        try {
            // fields this version's protos do not know (later protobuf-specs: checkpointKeyId, operator) are skipped,
            // as newer clients do; what is known must parse, and every CA and log key must load
            TrustedRoot.Builder proto = TrustedRoot.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(trustedRootJson, StandardCharsets.UTF_8),
                    proto);
            SigstoreTrustedRoot root = SigstoreTrustedRoot.from(proto.build());
            if (root.getCAs().isEmpty() || root.getTLogs().isEmpty() || root.getCTLogs().isEmpty()) {
                throw new IOException("a trusted root needs certificate authorities, tlogs and ctlogs");
            }
            return new KeylessBundles(trustedRootJson, KeylessVerifier.builder().trustedRootProvider(() -> root)
                    .build());
        } catch (GeneralSecurityException | RuntimeException | IOException e) {
            throw new IOException("not a usable Sigstore trusted root: " + e.getMessage(), e);
        }
    }

    public Path trustedRoot() {
        return trustedRoot;
    }

    /** Verifies a bundle (its JSON) for the image digest {@code sha256} signed by one of {@code identities}. */
    public Outcome verify(byte[] bundleJson, byte[] sha256, List<AcceptedIdentity> identities) {
        if (identities.isEmpty()) {
            return new Outcome(false, null, null, null, "no keyless identity is accepted");
        }
        Bundle bundle;
        try {
            bundle = Bundle.from(new StringReader(new String(bundleJson, StandardCharsets.UTF_8)));
        } catch (BundleParseException | RuntimeException e) {
            return new Outcome(false, null, null, null, "not a readable Sigstore bundle: " + e.getMessage());
        }
        X509Certificate leaf;
        String san;
        String issuer;
        try {
            leaf = Certificates.getLeaf(bundle.getCertPath());
            san = san(leaf);
            issuer = issuer(leaf);
        } catch (CertificateParsingException | RuntimeException e) {
            return new Outcome(false, null, null, null, "certificate without a usable identity: " + e.getMessage());
        }
        var options = VerificationOptions.builder();
        for (AcceptedIdentity id : identities) {
            try {
                options.addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
                        .issuer(StringMatcher.string(id.issuer()))
                        .subjectAlternativeName(StringMatcher.regex(id.subject())).build());
            } catch (RegexSyntaxException e) {
                // AcceptedIdentity compiled it already: unreachable, and never a pass
                return new Outcome(false, san, issuer, null, "identity " + id + " unusable: " + e.getMessage());
            }
        }
        String who = san + " (issuer " + issuer + ")";
        try {
            verifier.verify(sha256, bundle, options.build());
        } catch (KeylessVerificationException e) {
            String cause = e.getCause() != null && e.getCause().getMessage() != null
                    ? " (" + e.getCause().getMessage() + ")" : "";
            return new Outcome(false, san, issuer, null, "keyless bundle by " + who + " not verified: "
                    + firstLine(e.getMessage()) + cause);
        } catch (RuntimeException e) {
            return new Outcome(false, san, issuer, null, "keyless bundle by " + who + " not verified: "
                    + firstLine(String.valueOf(e.getMessage())));
        }
        if (identities.stream().noneMatch(id -> id.matches(issuer, san))) {
            // the library's matchers and ours read the certificate alike; a difference is a refusal, never a pass
            return new Outcome(false, san, issuer, null, "keyless bundle by " + who + ": no accepted identity");
        }
        RekorEntry entry = bundle.getEntries().get(0);
        if (bundle.getDsseEnvelope().isPresent()) {
            String mismatch = dsseEntryCertificate(entry, leaf);
            if (mismatch != null) {
                return new Outcome(false, san, issuer, null, "keyless bundle by " + who + " not verified: " + mismatch);
            }
        }
        Instant at = entry.getIntegratedTimeInstant();
        return new Outcome(true, san, issuer, at, "keyless bundle by " + who + " verified: certificate chains to the "
                + "pinned root with a valid SCT, log entry " + entry.getLogIndex() + " (SET, inclusion proof, checkpoint) "
                + "integrated at " + at + " while the certificate was valid");
    }

    /** The dsse log entry must name this certificate as the verifier of its signature. */
    private static String dsseEntryCertificate(RekorEntry entry, X509Certificate leaf) {
        try {
            JsonNode body = Json.read(Base64.getDecoder().decode(entry.getBody()));
            byte[] leafDer = leaf.getEncoded();
            for (JsonNode s : body.path("spec").path("signatures")) {
                String pem = new String(Base64.getDecoder().decode(s.path("verifier").asText("")),
                        StandardCharsets.US_ASCII);
                String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
                if (Arrays.equals(leafDer, Base64.getDecoder().decode(b64))) {
                    return null;
                }
            }
            return "the log entry does not name the bundle's certificate as its verifier";
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            return "the log entry's verifier cannot be read: " + e.getMessage();
        }
    }

    private static String san(X509Certificate cert) throws CertificateParsingException {
        var names = cert.getSubjectAlternativeNames();
        if (names == null || names.size() != 1) {
            throw new CertificateParsingException("a Fulcio certificate has exactly one SAN");
        }
        return String.valueOf(names.iterator().next().get(1));
    }

    private static String issuer(X509Certificate cert) throws CertificateParsingException {
        try {
            byte[] v2 = cert.getExtensionValue(ISSUER_V2);
            if (v2 != null) {
                ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
                if (inner instanceof ASN1String s) {
                    return s.getString();
                }
            }
            byte[] v1 = cert.getExtensionValue(ISSUER_V1);
            if (v1 != null) {
                return new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CertificateParsingException("OIDC issuer extension unreadable: " + e.getMessage());
        }
        throw new CertificateParsingException("no OIDC issuer extension");
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
