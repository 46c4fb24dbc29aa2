package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The Sigstore bundles attached to an image digest (referrers API, or the referrers tag {@code sha256-<hex>} where the
 * registry has no such API), each read and reported. A keyed bundle — a DSSE envelope of an in-toto statement, or a
 * message signature over the image manifest — is verified with the accepted keys; a keyless one (a Fulcio
 * certificate) by {@link KeylessBundles} when there are accepted identities, else only reported.
 */
final class SigstoreBundles {
    private static final int MAX_BUNDLES = 16;

    private final RegistryClient registry;
    private final List<AcceptedKey> keys;
    private final List<AcceptedIdentity> identities;
    private final KeylessBundles keyless;

    SigstoreBundles(RegistryClient registry, List<AcceptedKey> keys, List<AcceptedIdentity> identities,
                    KeylessBundles keyless) {
        this.registry = registry;
        this.keys = keys;
        this.identities = identities;
        this.keyless = keyless;
    }

    List<BundleReport> find(ImageReference image) throws RegistryException {
        JsonNode index = registry.referrers(image.apiHost(), image.repository(), image.digest(),
                CosignVerifier.BUNDLE_V03).orElse(null);
        if (index == null) {
            // no referrers API: the referrers tag schema of OCI distribution 1.1
            Optional<RegistryClient.Manifest> tagged = registry.manifest(image.apiHost(), image.repository(),
                    image.referrersTag());
            if (tagged.isEmpty()) {
                return List.of();
            }
            index = tagged.get().json();
        }
        List<BundleReport> reports = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            if (reports.size() >= MAX_BUNDLES) {
                break;
            }
            String artifactType = entry.path("artifactType").asText("");
            String digest = entry.path("digest").asText("");
            if (!artifactType.isEmpty() && !artifactType.startsWith("application/vnd.dev.sigstore.bundle")) {
                continue;
            }
            if (!CosignVerifier.DIGEST.matcher(digest).matches()) {
                continue;
            }
            Optional<RegistryClient.Manifest> m = registry.manifest(image.apiHost(), image.repository(), digest);
            if (m.isEmpty()) {
                continue;
            }
            JsonNode manifest = m.get().json();
            String type = manifest.path("artifactType").asText("");
            if (!type.startsWith("application/vnd.dev.sigstore.bundle")) {
                continue;
            }
            reports.add(readBundle(image, digest, manifest));
        }
        return reports;
    }

    private BundleReport readBundle(ImageReference image, String manifestDigest, JsonNode manifest)
            throws RegistryException {
        String subject = manifest.path("subject").path("digest").asText("");
        if (!image.digest().equals(subject)) {
            return new BundleReport(manifestDigest, "unknown", null, "none", 0, false, false, null,
                    "its manifest's subject is " + (subject.isEmpty() ? "missing" : subject) + ", not this digest");
        }
        JsonNode layer = manifest.path("layers").path(0);
        String blobDigest = layer.path("digest").asText("");
        if (!CosignVerifier.DIGEST.matcher(blobDigest).matches()
                || layer.path("size").asLong(0) > CosignVerifier.MAX_PAYLOAD) {
            return new BundleReport(manifestDigest, "unknown", null, "none", 0, false, false, null,
                    "no readable bundle layer");
        }
        byte[] blob;
        try {
            blob = registry.blob(image.apiHost(), image.repository(), blobDigest);
        } catch (RegistryException e) {
            if (e.kind() == RegistryException.Kind.NOT_FOUND) {
                return new BundleReport(manifestDigest, "unknown", null, "none", 0, false, false, null,
                        "bundle blob " + blobDigest + " missing");
            }
            throw e;
        }
        if (!RegistryClient.sha256Digest(blob).equals(blobDigest)) {
            return new BundleReport(manifestDigest, "unknown", null, "none", 0, false, false, null,
                    "layer digest mismatch: the bundle blob is not " + blobDigest);
        }
        JsonNode bundle;
        try {
            bundle = Json.read(blob);
        } catch (IOException e) {
            return new BundleReport(manifestDigest, "unknown", null, "none", 0, false, false, null, "bundle is not JSON");
        }
        JsonNode material = bundle.path("verificationMaterial");
        int tlog = material.path("tlogEntries").size();
        String kind = material.has("publicKey") ? "public-key"
                : material.has("certificate") || material.has("x509CertificateChain") ? "certificate" : "none";
        String content = bundle.has("dsseEnvelope") ? "dsse-envelope"
                : bundle.has("messageSignature") ? "message-signature" : "unknown";
        String tlogWords = tlog == 0 ? "" : ", " + tlog + " transparency log entr" + (tlog == 1 ? "y" : "ies") + " not checked";
        if (kind.equals("certificate") && keyless != null && !identities.isEmpty()) {
            return verifyKeyless(image, manifestDigest, blob, bundle, content, tlog);
        }
        if (!kind.equals("public-key")) {
            return new BundleReport(manifestDigest, content, predicateType(bundle), kind, tlog, false, false, null,
                    kind.equals("certificate") ? "keyless bundle (certificate): no keyless identity is accepted here, "
                            + "so it is not verified" + tlogWords : "bundle without verification material");
        }
        if (content.equals("dsse-envelope")) {
            return verifyDsse(image, manifestDigest, bundle.path("dsseEnvelope"), tlog, tlogWords);
        }
        if (content.equals("message-signature")) {
            return verifyMessageSignature(image, manifestDigest, bundle.path("messageSignature"), tlog, tlogWords);
        }
        return new BundleReport(manifestDigest, content, null, kind, tlog, false, false, null, "bundle has no content");
    }

    /**
     * A keyless bundle: {@link KeylessBundles} checks certificate, identity, log entry and signature against the digest;
     * here only that it signs the image (cosign's sign predicate, or a message signature over the manifest digest).
     */
    private BundleReport verifyKeyless(ImageReference image, String manifestDigest, byte[] blob, JsonNode bundle,
                                       String content, int tlog) {
        String predicate = predicateType(bundle);
        boolean signs = content.equals("message-signature") || CosignVerifier.COSIGN_SIGN_PREDICATE.equals(predicate);
        KeylessBundles.Outcome o = keyless.verify(blob, java.util.HexFormat.of().parseHex(image.digestHex()), identities);
        if (!o.verified()) {
            return new BundleReport(manifestDigest, content, predicate, "certificate", tlog, false, signs, null, o.note());
        }
        return new BundleReport(manifestDigest, content, predicate, "certificate", tlog, true, signs,
                o.issuer() + "|" + o.subject(), o.note() + (signs ? "" : "; an attestation, not cosign's signature predicate"));
    }

    private static String predicateType(JsonNode bundle) {
        JsonNode env = bundle.path("dsseEnvelope");
        if (env.isMissingNode()) {
            return null;
        }
        try {
            return Json.read(Base64.getDecoder().decode(env.path("payload").asText(""))).path("predicateType").asText(null);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private BundleReport verifyDsse(ImageReference image, String manifestDigest, JsonNode env, int tlog,
                                    String tlogWords) {
        String payloadType = env.path("payloadType").asText("");
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(env.path("payload").asText(""));
        } catch (IllegalArgumentException e) {
            return new BundleReport(manifestDigest, "dsse-envelope", null, "public-key", tlog, false, false, null,
                    "DSSE payload is not base64");
        }
        String predicate = null;
        JsonNode statement = null;
        try {
            statement = Json.read(payload);
            predicate = statement.path("predicateType").asText(null);
        } catch (IOException e) {
            // reported below
        }
        byte[] pae = pae(payloadType, payload);
        AcceptedKey by = null;
        for (JsonNode s : env.path("signatures")) {
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.path("sig").asText(""));
            } catch (IllegalArgumentException e) {
                continue;
            }
            by = keys.stream().filter(k -> k.verifies(pae, sig)).findFirst().orElse(null);
            if (by != null) {
                break;
            }
        }
        if (by == null) {
            return new BundleReport(manifestDigest, "dsse-envelope", predicate, "public-key", tlog, false, false, null,
                    "DSSE envelope signed by a key not accepted, or altered");
        }
        if (!CosignVerifier.INTOTO_PAYLOAD.equals(payloadType) || statement == null) {
            return new BundleReport(manifestDigest, "dsse-envelope", predicate, "public-key", tlog, false, false, null,
                    "DSSE payload type " + payloadType + " is not an in-toto statement");
        }
        boolean names = false;
        for (JsonNode subject : statement.path("subject")) {
            names |= image.digestHex().equals(subject.path("digest").path("sha256").asText(""));
        }
        boolean signs = CosignVerifier.COSIGN_SIGN_PREDICATE.equals(predicate);
        if (!names) {
            return new BundleReport(manifestDigest, "dsse-envelope", predicate, "public-key", tlog, false, signs, null,
                    "in-toto statement by key " + by.keyId() + " does not name " + image.digest() + " as its subject");
        }
        return new BundleReport(manifestDigest, "dsse-envelope", predicate, "public-key", tlog, true, signs, by.keyId(),
                "DSSE in-toto statement (" + predicate + ") verified with key " + by.keyId()
                        + (signs ? "" : "; an attestation, not cosign's signature predicate") + tlogWords);
    }

    private BundleReport verifyMessageSignature(ImageReference image, String manifestDigest, JsonNode ms, int tlog,
                                                String tlogWords) throws RegistryException {
        String algorithm = ms.path("messageDigest").path("algorithm").asText("");
        byte[] digest;
        byte[] sig;
        try {
            digest = Base64.getDecoder().decode(ms.path("messageDigest").path("digest").asText(""));
            sig = Base64.getDecoder().decode(ms.path("signature").asText(""));
        } catch (IllegalArgumentException e) {
            return new BundleReport(manifestDigest, "message-signature", null, "public-key", tlog, false, true, null,
                    "message signature fields are not base64");
        }
        byte[] imageDigest = java.util.HexFormat.of().parseHex(image.digestHex());
        if (!"SHA2_256".equals(algorithm) || !java.util.Arrays.equals(digest, imageDigest)) {
            return new BundleReport(manifestDigest, "message-signature", null, "public-key", tlog, false, true, null,
                    "message digest (" + algorithm + ") is not this image's manifest digest");
        }
        AcceptedKey by = keys.stream().filter(k -> k.verifiesDigest(imageDigest, sig)).findFirst().orElse(null);
        if (by == null && keys.stream().anyMatch(k -> k.algorithm() == AcceptedKey.Algorithm.ED25519)) {
            // Ed25519 signs the whole message: the image manifest itself (its digest checked by the client)
            Optional<RegistryClient.Manifest> m = registry.manifest(image.apiHost(), image.repository(), image.digest());
            if (m.isPresent()) {
                byte[] bytes = m.get().bytes();
                by = keys.stream().filter(k -> k.verifies(bytes, sig)).findFirst().orElse(null);
            }
        }
        if (by == null) {
            return new BundleReport(manifestDigest, "message-signature", null, "public-key", tlog, false, true, null,
                    "message signature by a key not accepted, or over other bytes");
        }
        return new BundleReport(manifestDigest, "message-signature", null, "public-key", tlog, true, true, by.keyId(),
                "message signature over the image manifest verified with key " + by.keyId() + tlogWords);
    }

    /** DSSE's pre-authentication encoding: {@code DSSEv1 <len type> <type> <len body> <body>}. */
    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }
}
