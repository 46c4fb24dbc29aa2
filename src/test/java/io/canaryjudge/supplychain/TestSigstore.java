package io.canaryjudge.supplychain;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Sigstore instance made for the tests, with its own keys: a certificate authority acting as Fulcio (short-lived
 * leaf certificates carrying the signer's identity as SAN and the OIDC issuer in Fulcio's extensions, with an embedded
 * SCT from a test certificate-transparency log), a test Rekor (a one-entry log: a signed entry timestamp, an inclusion
 * proof whose root is the leaf hash, a signed checkpoint), and the {@code trusted_root.json} naming all three, in the
 * layouts of sigstore's protobuf-specs (Bundle v0.3, TrustedRoot v0.1), RFC 6962 (SCT, Merkle leaf/node hashes) and
 * Rekor's dsse and hashedrekord 0.0.1 entry kinds. Everything a verifier needs comes from here; nothing is fetched.
 */
public final class TestSigstore {
    /** Fulcio's OIDC issuer extensions: the raw-string one (v1) and the DER UTF8String one (v2). */
    static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    static final String SCT_LIST = "1.3.6.1.4.1.11129.2.4.2";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();

    /** What a made bundle was signed as: the leaf's key, and when the test log says it integrated the entry. */
    public record Signer(String subject, String issuer, Instant notBefore, Duration lifetime) {
        public static Signer of(String subject, String issuer) {
            return new Signer(subject, issuer, Instant.now().minusSeconds(60), Duration.ofMinutes(10));
        }
    }

    /** One way a made bundle departs from a genuine one; {@link #NONE} is genuine. */
    public enum Tweak {
        NONE,
        /** the statement in the envelope edited after signing (the log entry keeps the signed one's hash) */
        TAMPERED_PAYLOAD,
        /** the signed entry timestamp and checkpoint signed by a key that is not the log's */
        WRONG_LOG_KEY,
        /** no inclusion proof at all, only the promise */
        NO_INCLUSION_PROOF,
        /** an inclusion proof whose root hash is not the tree's (the checkpoint signs that wrong root) */
        WRONG_ROOT_HASH,
        /** the log entry names another certificate as the signature's verifier */
        ENTRY_NAMES_OTHER_CERTIFICATE
    }

    final KeyPair caKey;
    final X509Certificate caCert;
    final KeyPair rekorKey;
    final KeyPair ctKey;
    final Instant since;

    private TestSigstore(KeyPair caKey, X509Certificate caCert, KeyPair rekorKey, KeyPair ctKey, Instant since) {
        this.caKey = caKey;
        this.caCert = caCert;
        this.rekorKey = rekorKey;
        this.ctKey = ctKey;
        this.since = since;
    }

    /** A new instance: fresh CA, log and CT keys, valid from a day ago. */
    public static TestSigstore create(String name) throws Exception {
        Instant since = Instant.now().minus(Duration.ofDays(1));
        KeyPair ca = CosignFixtures.p256();
        X500Name dn = new X500Name("O=" + name + ",CN=" + name + " test fulcio");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(dn, serial(), Date.from(since),
                Date.from(since.plus(Duration.ofDays(3650))), dn, ca.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(ca.getPrivate())));
        return new TestSigstore(ca, cert, CosignFixtures.p256(), CosignFixtures.p256(), since);
    }

    /** The trusted root (protobuf-specs TrustedRoot, JSON) naming this CA, this log and this CT log. */
    public String trustedRootJson() throws Exception {
        return "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
                + "\"tlogs\":[" + log("https://rekor.test.invalid", rekorKey.getPublic()) + "],"
                + "\"certificateAuthorities\":[{\"subject\":{\"organization\":\"test\",\"commonName\":\"test fulcio\"},"
                + "\"uri\":\"https://fulcio.test.invalid\",\"certChain\":{\"certificates\":[{\"rawBytes\":\""
                + B64.encodeToString(caCert.getEncoded()) + "\"}]},\"validFor\":{\"start\":\"" + since + "\"}}],"
                + "\"ctlogs\":[" + log("https://ctfe.test.invalid", ctKey.getPublic()) + "],"
                + "\"timestampAuthorities\":[]}";
    }

    /** A log instance, with the fields later protobuf-specs added (checkpointKeyId, operator) as current roots have. */
    private String log(String url, PublicKey key) throws Exception {
        return "{\"baseUrl\":\"" + url + "\",\"hashAlgorithm\":\"SHA2_256\",\"publicKey\":{\"rawBytes\":\""
                + B64.encodeToString(key.getEncoded()) + "\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\","
                + "\"validFor\":{\"start\":\"" + since + "\"}},\"logId\":{\"keyId\":\""
                + B64.encodeToString(sha256(key.getEncoded())) + "\"},\"checkpointKeyId\":{\"keyId\":\""
                + B64.encodeToString(java.util.Arrays.copyOf(sha256(key.getEncoded()), 4)) + "\"},"
                + "\"operator\":\"test.invalid\"}";
    }

    /**
     * A Fulcio-like leaf for {@code key}: empty subject, the identity as its one critical SAN (an e-mail address, or a
     * URI when it has a scheme), code-signing EKU, the issuer in both of Fulcio's extensions, and an SCT from the test
     * CT log over the precertificate (the TBS without the SCT list) embedded.
     */
    public X509Certificate leaf(PublicKey key, Signer who) throws Exception {
        BigInteger serial = serial();
        Date from = Date.from(who.notBefore());
        Date to = Date.from(who.notBefore().plus(who.lifetime()));
        X509v3CertificateBuilder pre = leafBuilder(key, who, serial, from, to);
        // the precertificate's TBS: what the CT log signs (RFC 6962 3.2), computed as the verifier will rebuild it
        byte[] tbs = new X509CertificateHolder(pre.build(signer(caKey.getPrivate())).getEncoded()).toASN1Structure()
                .getTBSCertificate().getEncoded();
        long timestamp = who.notBefore().toEpochMilli();
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        signed.write(0); // v1
        signed.write(0); // certificate_timestamp
        writeNumber(signed, timestamp, 8);
        writeNumber(signed, 1, 2); // precert_entry
        signed.write(sha256(caCert.getPublicKey().getEncoded()));
        writeNumber(signed, tbs.length, 3);
        signed.write(tbs);
        writeNumber(signed, 0, 2); // no extensions
        byte[] sig = CosignFixtures.sign(ctKey.getPrivate(), signed.toByteArray());
        ByteArrayOutputStream sct = new ByteArrayOutputStream();
        sct.write(0);
        sct.write(sha256(ctKey.getPublic().getEncoded()));
        writeNumber(sct, timestamp, 8);
        writeNumber(sct, 0, 2);
        sct.write(4); // sha256
        sct.write(3); // ecdsa
        writeNumber(sct, sig.length, 2);
        sct.write(sig);
        byte[] one = sct.toByteArray();
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        writeNumber(list, one.length + 2, 2);
        writeNumber(list, one.length, 2);
        list.write(one);
        X509v3CertificateBuilder fin = leafBuilder(key, who, serial, from, to);
        fin.addExtension(new ASN1ObjectIdentifier(SCT_LIST), false, new DEROctetString(list.toByteArray()));
        return new JcaX509CertificateConverter().getCertificate(fin.build(signer(caKey.getPrivate())));
    }

    private X509v3CertificateBuilder leafBuilder(PublicKey key, Signer who, BigInteger serial, Date from, Date to)
            throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial, from, to, new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key);
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        int type = who.subject().contains("://") ? GeneralName.uniformResourceIdentifier : GeneralName.rfc822Name;
        b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(new GeneralName(type, who.subject())));
        b.addExtension(new ASN1ObjectIdentifier(ISSUER_V1), false,
                who.issuer().getBytes(StandardCharsets.UTF_8));
        b.addExtension(new ASN1ObjectIdentifier(ISSUER_V2), false, new DERUTF8String(who.issuer()));
        return b;
    }

    /**
     * A bundle v0.3 as {@code cosign sign --new-bundle-format} makes it for a keyless signer: a DSSE envelope of
     * {@code statement} signed by a fresh key certified for {@code who}, the leaf certificate, and one dsse 0.0.1 entry
     * in the test log, integrated {@code integratedAfter} after the leaf's notBefore.
     */
    public byte[] dsseBundle(byte[] statement, Signer who, Duration integratedAfter) throws Exception {
        return dsseBundle(statement, who, integratedAfter, Tweak.NONE);
    }

    /** {@link #dsseBundle(byte[], Signer, Duration)}, departing from a genuine bundle as {@code tweak} says. */
    public byte[] dsseBundle(byte[] statement, Signer who, Duration integratedAfter, Tweak tweak) throws Exception {
        KeyPair key = CosignFixtures.p256();
        X509Certificate leaf = leaf(key.getPublic(), who);
        byte[] sig = CosignFixtures.sign(key.getPrivate(), SigstoreBundles.pae(CosignVerifier.INTOTO_PAYLOAD, statement));
        X509Certificate named = tweak == Tweak.ENTRY_NAMES_OTHER_CERTIFICATE
                ? leaf(CosignFixtures.p256().getPublic(), who) : leaf;
        byte[] body = entryBody(statement, sig, named);
        byte[] carried = tweak == Tweak.TAMPERED_PAYLOAD
                ? new String(statement, StandardCharsets.UTF_8).replace("\"predicate\":{}", "\"predicate\":{\"x\":1}")
                        .getBytes(StandardCharsets.UTF_8) : statement;
        PrivateKey logKey = tweak == Tweak.WRONG_LOG_KEY ? CosignFixtures.p256().getPrivate() : rekorKey.getPrivate();
        return bundle("dsse", dsseContent(carried, sig), leaf, body,
                who.notBefore().plus(integratedAfter).getEpochSecond(), logKey, tweak);
    }

    /**
     * A bundle v0.3 with a message signature for a keyless signer: the image manifest's bytes signed with
     * SHA256withECDSA (so the signature is over its digest, {@code sha256}), logged as a hashedrekord 0.0.1 entry.
     */
    public byte[] messageSignatureBundle(byte[] manifest, Signer who) throws Exception {
        KeyPair key = CosignFixtures.p256();
        X509Certificate leaf = leaf(key.getPublic(), who);
        byte[] sig = CosignFixtures.sign(key.getPrivate(), manifest);
        byte[] digest = sha256(manifest);
        // Rekor's canonicalized hashedrekord body: RFC 8785 JSON (sorted keys), the certificate as PEM, base64
        byte[] body = ("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":{"
                + "\"algorithm\":\"sha256\",\"value\":\"" + hex(digest) + "\"}},\"signature\":{\"content\":\""
                + B64.encodeToString(sig) + "\",\"publicKey\":{\"content\":\""
                + B64.encodeToString(pem(leaf).getBytes(StandardCharsets.US_ASCII)) + "\"}}}}")
                .getBytes(StandardCharsets.UTF_8);
        String content = "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\""
                + B64.encodeToString(digest) + "\"},\"signature\":\"" + B64.encodeToString(sig) + "\"}";
        return bundle("hashedrekord", content, leaf, body, who.notBefore().plusSeconds(30).getEpochSecond(),
                rekorKey.getPrivate(), Tweak.NONE);
    }

    private static String dsseContent(byte[] statement, byte[] sig) {
        return "\"dsseEnvelope\":{\"payload\":\"" + B64.encodeToString(statement) + "\",\"payloadType\":\""
                + CosignVerifier.INTOTO_PAYLOAD + "\",\"signatures\":[{\"sig\":\"" + B64.encodeToString(sig) + "\"}]}";
    }

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }

    /**
     * Signs {@code image} as {@code cosign sign --new-bundle-format} does for a keyless signer {@code who}: a genuine
     * bundle of cosign's sign predicate, attached as a referrer in the registry.
     */
    public void sign(io.canaryjudge.testing.RegistryServer registry, ImageReference image, Signer who) throws Exception {
        byte[] statement = CosignFixtures.statement(image.registry() + "/" + image.repository(), image.digestHex(),
                CosignVerifier.COSIGN_SIGN_PREDICATE);
        CosignFixtures.attachBundles(registry, image, java.util.List.of(dsseBundle(statement, who,
                Duration.ofSeconds(30))));
    }

    /** The canonicalized dsse 0.0.1 entry body Rekor stores for an envelope with one signature. */
    static byte[] entryBody(byte[] statement, byte[] sig, X509Certificate leaf) throws Exception {
        String envelope = "{\"payload\":\"" + B64.encodeToString(statement) + "\",\"payloadType\":\""
                + CosignVerifier.INTOTO_PAYLOAD + "\",\"signatures\":[{\"sig\":\"" + B64.encodeToString(sig) + "\"}]}";
        String pem = pem(leaf);
        return ("{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{\"envelopeHash\":{\"algorithm\":\"sha256\","
                + "\"value\":\"" + hex(sha256(envelope.getBytes(StandardCharsets.UTF_8))) + "\"},\"payloadHash\":{"
                + "\"algorithm\":\"sha256\",\"value\":\"" + hex(sha256(statement)) + "\"},\"signatures\":[{"
                + "\"signature\":\"" + B64.encodeToString(sig) + "\",\"verifier\":\""
                + B64.encodeToString(pem.getBytes(StandardCharsets.US_ASCII)) + "\"}]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Assembles the bundle JSON; the entry's SET and checkpoint are signed with {@code logKey}. */
    byte[] bundle(String kind, String content, X509Certificate leaf, byte[] body, long integratedTime,
                  PrivateKey logKey, Tweak tweak) throws Exception {
        byte[] logId = sha256(rekorKey.getPublic().getEncoded());
        long index = 0;
        // SET: the log's signature over the canonical JSON of body, integratedTime, logID (hex), logIndex
        String setContent = "{\"body\":\"" + B64.encodeToString(body) + "\",\"integratedTime\":" + integratedTime
                + ",\"logID\":\"" + hex(logId) + "\",\"logIndex\":" + index + "}";
        byte[] set = CosignFixtures.sign(logKey, setContent.getBytes(StandardCharsets.UTF_8));
        // a one-entry tree: the root is the RFC 6962 leaf hash, the proof has no hashes
        byte[] leafHash = tweak == Tweak.WRONG_ROOT_HASH ? sha256(body) : sha256(concat(new byte[] {0}, body));
        String header = "rekor.test.invalid - 1\n1\n" + B64.encodeToString(leafHash) + "\n";
        byte[] cpSig = CosignFixtures.sign(logKey, header.getBytes(StandardCharsets.UTF_8));
        byte[] hint = java.util.Arrays.copyOf(sha256(rekorKey.getPublic().getEncoded()), 4);
        String checkpoint = header + "\n\u2014 rekor.test.invalid " + B64.encodeToString(concat(hint, cpSig)) + "\n";
        return ("{\"mediaType\":\"" + CosignVerifier.BUNDLE_V03 + "\",\"verificationMaterial\":{\"certificate\":{"
                + "\"rawBytes\":\"" + B64.encodeToString(leaf.getEncoded()) + "\"},\"tlogEntries\":[{\"logIndex\":\""
                + index + "\",\"logId\":{\"keyId\":\"" + B64.encodeToString(logId) + "\"},\"kindVersion\":{\"kind\":"
                + "\"" + kind + "\",\"version\":\"0.0.1\"},\"integratedTime\":\"" + integratedTime + "\",\"inclusionPromise\":{"
                + "\"signedEntryTimestamp\":\"" + B64.encodeToString(set) + "\"},"
                + (tweak == Tweak.NO_INCLUSION_PROOF ? "" : "\"inclusionProof\":{\"logIndex\":\"" + index
                        + "\",\"rootHash\":\"" + B64.encodeToString(leafHash) + "\",\"treeSize\":\"1\",\"hashes\":[],"
                        + "\"checkpoint\":{\"envelope\":" + jsonString(checkpoint) + "}},")
                + "\"canonicalizedBody\":\""
                + B64.encodeToString(body) + "\"}]}," + content + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static ContentSigner signer(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static void writeNumber(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    static byte[] sha256(byte[] data) throws GeneralSecurityException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
