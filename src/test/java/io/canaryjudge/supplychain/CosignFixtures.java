package io.canaryjudge.supplychain;

import io.canaryjudge.testing.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Images, cosign signatures and Sigstore bundles written into a real registry in the layouts cosign uses
 * (specs/SIGNATURE_SPEC.md, specs/BUNDLE_SPEC.md of sigstore/cosign), with keys made for the test.
 */
public final class CosignFixtures {
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One simple-signing layer: the payload bytes as pushed, and the base64 signature put in its annotation. */
    public record SignatureLayer(byte[] payload, String signatureBase64) {
    }

    private CosignFixtures() {
    }

    public static KeyPair p256() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    public static KeyPair ed25519() throws GeneralSecurityException {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /** Signs as cosign does: SHA256withECDSA (ASN.1 DER) for P-256, pure Ed25519 for Ed25519. */
    public static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519");
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    /**
     * Pushes a small image (a config blob and one random layer, so every image has its own digest) as an OCI image
     * manifest under {@code tag}, and returns it addressed by digest.
     */
    public static ImageReference pushImage(RegistryServer registry, String repository, String tag) {
        byte[] layer = new byte[64];
        RANDOM.nextBytes(layer);
        String layerDigest = registry.pushBlob(repository, layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layerDigest + "\"]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.pushBlob(repository, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + OCI_LAYER + "\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        String digest = registry.putManifest(repository, tag, "application/vnd.oci.image.manifest.v1+json", manifest);
        return new ImageReference(registry.host(), repository, digest);
    }

    /** cosign's simple-signing payload for {@code namedDigest}, as {@code cosign sign} writes it. */
    public static byte[] payload(ImageReference image, String namedDigest) {
        return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + image.registry() + "/" + image.repository()
                + "\"},\"image\":{\"docker-manifest-digest\":\"" + namedDigest + "\"},\"type\":\"cosign container image "
                + "signature\"},\"optional\":{\"creator\":\"canary-judge tests\"}}").getBytes(StandardCharsets.UTF_8);
    }

    /** A layer signing {@code image}'s own digest with {@code key}. */
    public static SignatureLayer signedLayer(ImageReference image, PrivateKey key) throws GeneralSecurityException {
        byte[] p = payload(image, image.digest());
        return new SignatureLayer(p, Base64.getEncoder().encodeToString(sign(key, p)));
    }

    /**
     * Pushes cosign's signature image for {@code image}: the payload blobs, a config, and an OCI image manifest of
     * simple-signing layers annotated with their signatures, tagged {@code sha256-<hex>.sig}.
     */
    public static void pushSignatures(RegistryServer registry, ImageReference image, List<SignatureLayer> layers) {
        String descriptors = layers.stream().map(l -> {
            String d = registry.pushBlob(image.repository(), l.payload());
            return "{\"mediaType\":\"" + CosignVerifier.SIMPLE_SIGNING + "\",\"size\":" + l.payload().length
                    + ",\"digest\":\"" + d + "\",\"annotations\":{\"" + CosignVerifier.SIGNATURE_ANNOTATION + "\":\""
                    + l.signatureBase64() + "\"}}";
        }).collect(Collectors.joining(","));
        String diffIds = layers.stream().map(l -> "\"" + RegistryServer.digest(l.payload()) + "\"")
                .collect(Collectors.joining(","));
        byte[] config = ("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"os\":\"\",\"rootfs\":{\"type\":"
                + "\"layers\",\"diff_ids\":[" + diffIds + "]},\"config\":{}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = registry.pushBlob(image.repository(), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"" + OCI_CONFIG + "\",\"size\":" + config.length + ",\"digest\":\""
                + configDigest + "\"},\"layers\":[" + descriptors + "]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(image.repository(), image.signatureTag(), "application/vnd.oci.image.manifest.v1+json",
                manifest);
    }

    /** The in-toto statement {@code cosign sign --new-bundle-format} signs: cosign's sign predicate about the digest. */
    public static byte[] statement(String hex, String predicateType) {
        return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{\"sha256\":\"" + hex
                + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":{}}").getBytes(StandardCharsets.UTF_8);
    }

    /** The same statement with the subject's name (cosign names the image's repository; in-toto requires a name). */
    public static byte[] statement(String name, String hex, String predicateType) {
        return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"" + name + "\",\"digest\":{"
                + "\"sha256\":\"" + hex + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":{}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A Sigstore bundle v0.3 holding a DSSE envelope of {@code statement}, signed with {@code key} (no tlog entry). */
    public static byte[] dsseBundle(byte[] statement, PrivateKey key, String hint) throws GeneralSecurityException {
        byte[] sig = sign(key, SigstoreBundles.pae(CosignVerifier.INTOTO_PAYLOAD, statement));
        return ("{\"mediaType\":\"" + CosignVerifier.BUNDLE_V03 + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\""
                + hint + "\"},\"tlogEntries\":[]},\"dsseEnvelope\":{\"payload\":\""
                + Base64.getEncoder().encodeToString(statement) + "\",\"payloadType\":\"" + CosignVerifier.INTOTO_PAYLOAD
                + "\",\"signatures\":[{\"sig\":\"" + Base64.getEncoder().encodeToString(sig) + "\"}]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A Sigstore bundle v0.3 with a message signature over the image manifest's bytes (digest SHA2_256). */
    public static byte[] messageSignatureBundle(String hex, byte[] signature) {
        return ("{\"mediaType\":\"" + CosignVerifier.BUNDLE_V03 + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":"
                + "\"k\"},\"tlogEntries\":[]},\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
                + "\"digest\":\"" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex)) + "\"},"
                + "\"signature\":\"" + Base64.getEncoder().encodeToString(signature) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Attaches bundles as cosign does on a registry without the referrers API: each bundle as the one layer of an
     * OCI manifest with {@code artifactType} and {@code subject}, listed in the image index tagged
     * {@code sha256-<hex>} (the OCI referrers tag schema). Returns the bundle manifests' digests.
     */
    public static List<String> attachBundles(RegistryServer registry, ImageReference image, List<byte[]> bundles) {
        int imageManifestSize = registry.getManifest(image.repository(), image.digest()).length;
        String emptyDigest = registry.pushBlob(image.repository(), "{}".getBytes(StandardCharsets.UTF_8));
        List<String> digests = new java.util.ArrayList<>();
        StringBuilder entries = new StringBuilder();
        for (byte[] bundle : bundles) {
            String blob = registry.pushBlob(image.repository(), bundle);
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"artifactType\":\"" + CosignVerifier.BUNDLE_V03 + "\",\"config\":{\"mediaType\":\"" + OCI_EMPTY
                    + "\",\"digest\":\"" + emptyDigest + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
                    + CosignVerifier.BUNDLE_V03 + "\",\"digest\":\"" + blob + "\",\"size\":" + bundle.length + "}],"
                    + "\"annotations\":{\"dev.sigstore.bundle.content\":\"dsse-envelope\"},"
                    + "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
                    + image.digest() + "\",\"size\":" + imageManifestSize + "}}").getBytes(StandardCharsets.UTF_8);
            String digest = RegistryServer.digest(manifest);
            registry.putManifest(image.repository(), digest, "application/vnd.oci.image.manifest.v1+json", manifest);
            digests.add(digest);
            entries.append(entries.length() == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                    + "\"digest\":\"").append(digest).append("\",\"size\":").append(manifest.length)
                    .append(",\"artifactType\":\"").append(CosignVerifier.BUNDLE_V03).append("\"}");
        }
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + entries + "]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(image.repository(), image.referrersTag(), "application/vnd.oci.image.index.v1+json", index);
        return digests;
    }
}
