package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.supplychain.VerificationResult.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The keyed route of {@code cosign verify --key}: the signature manifest tagged {@code sha256-<hex>.sig} holds
 * simple-signing payload layers, each with its base64 signature in the layer annotation
 * {@code dev.cosignproject.cosign/signature}. One layer that holds up verifies the image; otherwise every layer's
 * problem is reported, and a layer that could not be read leaves the answer open rather than "rejected".
 */
final class SignatureTag {
    private static final int MAX_LAYERS = 32;

    /** What the signature tag came to: a verified key and the payload's docker-reference, or why not. */
    record Outcome(Status status, String keyId, String dockerReference, String reason) {
        static Outcome rejected(String reason) {
            return new Outcome(Status.REJECTED, null, null, reason);
        }

        static Outcome unavailable(String reason) {
            return new Outcome(Status.UNAVAILABLE, null, null, reason);
        }
    }

    private final RegistryClient registry;
    private final List<AcceptedKey> keys;

    SignatureTag(RegistryClient registry, List<AcceptedKey> keys) {
        this.registry = registry;
        this.keys = keys;
    }

    Outcome check(ImageReference image) {
        String where = image.repositoryPath();
        String tag = image.signatureTag();
        JsonNode json;
        try {
            Optional<RegistryClient.Manifest> manifest = registry.manifest(image.apiHost(), image.repository(), tag);
            if (manifest.isEmpty()) {
                return new Outcome(Status.UNSIGNED, null, null, "no signature tag " + tag + " in " + where);
            }
            json = manifest.get().json();
        } catch (RegistryException e) {
            return Outcome.unavailable(e.inWords());
        }
        JsonNode layers = json.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            return Outcome.rejected("signature manifest " + tag + " in " + where + " has no layers");
        }
        List<String> problems = new ArrayList<>();
        String unavailable = null;
        int index = 0;
        int simpleSigning = 0;
        for (JsonNode layer : layers) {
            index++;
            if (!CosignVerifier.SIMPLE_SIGNING.equals(layer.path("mediaType").asText())) {
                continue;
            }
            if (++simpleSigning > MAX_LAYERS) {
                problems.add("more than " + MAX_LAYERS + " signature layers; the rest were not read");
                break;
            }
            Outcome o = layer(image, "layer " + index, layer);
            switch (o.status()) {
                case VERIFIED -> {
                    return o;
                }
                case UNAVAILABLE -> unavailable = o.reason();
                default -> problems.add(o.reason());
            }
        }
        if (simpleSigning == 0) {
            return Outcome.rejected("signature manifest " + tag + " in " + where + " holds no "
                    + CosignVerifier.SIMPLE_SIGNING + " layer");
        }
        return notVerified(problems, unavailable);
    }

    private static Outcome notVerified(List<String> problems, String unavailable) {
        if (unavailable != null && problems.isEmpty()) {
            return Outcome.unavailable(unavailable);
        }
        String all = String.join("; ", problems);
        if (unavailable != null) {
            // one layer could not be read, the others do not hold up: whether it would have verified is unknown
            return Outcome.unavailable(unavailable + "; " + all);
        }
        return Outcome.rejected("not verified: " + all);
    }

    /** One simple-signing layer: its descriptor, its blob's digest, and an accepted key's signature over the blob. */
    private Outcome layer(ImageReference image, String label, JsonNode layer) {
        String digest = layer.path("digest").asText("");
        String signature = layer.path("annotations").path(CosignVerifier.SIGNATURE_ANNOTATION).asText("");
        if (!CosignVerifier.DIGEST.matcher(digest).matches()) {
            return Outcome.rejected(label + ": descriptor digest is not sha256 (" + digest + ")");
        }
        if (signature.isEmpty()) {
            return Outcome.rejected(label + ": no " + CosignVerifier.SIGNATURE_ANNOTATION + " annotation");
        }
        if (layer.path("size").asLong(0) > CosignVerifier.MAX_PAYLOAD) {
            return Outcome.rejected(label + ": payload larger than " + CosignVerifier.MAX_PAYLOAD + " bytes");
        }
        byte[] payload;
        try {
            payload = registry.blob(image.apiHost(), image.repository(), digest);
        } catch (RegistryException e) {
            return e.kind() == RegistryException.Kind.NOT_FOUND
                    ? Outcome.rejected(label + ": payload blob " + digest + " missing from " + image.repositoryPath())
                    : Outcome.unavailable(e.inWords());
        }
        String actual = RegistryClient.sha256Digest(payload);
        if (!actual.equals(digest)) {
            return Outcome.rejected(label + ": layer digest mismatch: the descriptor names " + digest
                    + " but the blob served is " + actual);
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return Outcome.rejected(label + ": signature annotation is not base64");
        }
        Optional<AcceptedKey> by = keys.stream().filter(k -> k.verifies(payload, sig)).findFirst();
        if (by.isEmpty()) {
            return Outcome.rejected(label + ": signature by a key not accepted, or over other bytes (no accepted key "
                    + keys.stream().map(AcceptedKey::keyId).collect(Collectors.joining(", ", "[", "]"))
                    + " verifies it)");
        }
        return payload(image, label, payload, by.get());
    }

    /** The signed payload must be cosign's image signature naming exactly this digest. */
    private static Outcome payload(ImageReference image, String label, byte[] payload, AcceptedKey by) {
        JsonNode p;
        try {
            p = Json.read(payload);
        } catch (IOException e) {
            return Outcome.rejected(label + ": signed payload is not JSON (" + e.getMessage() + ")");
        }
        JsonNode critical = p.path("critical");
        String type = critical.path("type").asText("");
        if (!CosignVerifier.PAYLOAD_TYPE.equalsIgnoreCase(type)) {
            return Outcome.rejected(label + ": signed payload's critical.type is \"" + type + "\", not \""
                    + CosignVerifier.PAYLOAD_TYPE + "\"");
        }
        String named = critical.path("image").path("docker-manifest-digest").asText("");
        if (!image.digest().equals(named)) {
            return Outcome.rejected(label + ": payload names digest " + (named.isEmpty() ? "(none)" : named) + " not "
                    + image.digest());
        }
        String reference = critical.path("identity").path("docker-reference").asText(null);
        return new Outcome(Status.VERIFIED, by.keyId(), reference, "verified: cosign signature in "
                + image.signatureTag() + " by key " + by.keyId() + " (" + by.algorithm() + ")"
                + (reference == null ? "" : ", docker-reference " + reference));
    }
}
