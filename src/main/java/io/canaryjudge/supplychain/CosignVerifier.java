package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.supplychain.VerificationResult.Method;
import io.canaryjudge.supplychain.VerificationResult.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks that an image digest is signed with one of the accepted keys, the way {@code cosign verify --key} does for
 * keyed signatures: the signature manifest tagged {@code sha256-<hex>.sig} in the image's repository holds
 * simple-signing payload layers, each with its base64 signature in the layer annotation
 * {@code dev.cosignproject.cosign/signature}. A layer verifies when its bytes hash to the layer descriptor's digest,
 * an accepted key's signature is over exactly those bytes, and the payload is a
 * {@code cosign container image signature} whose {@code docker-manifest-digest} is the digest checked.
 *
 * <p>Sigstore bundles attached to the digest (referrers API, or the referrers tag {@code sha256-<hex>} where the
 * registry has no such API) are listed; a keyed one (a DSSE envelope of an in-toto statement with cosign's sign
 * predicate, or a message signature over the image manifest) verifies the image too. A keyless one (a Fulcio
 * certificate) verifies it only when the verifier was given accepted identities and a pinned trusted root: then
 * {@link KeylessBundles} checks the certificate chain, the identity and the transparency log entry offline. Without
 * them keyless material is reported and not verified; transparency log entries of keyed signatures are never
 * verified. {@link VerificationResult#notChecked()} says what was not established on every result.
 *
 * <p>Results are cached per image: verified ones for {@link Options#verifiedTtl()}, unsigned and rejected ones for
 * {@link Options#rejectedTtl()}, "could not check" ones for {@link Options#unavailableTtl()} (zero by default: not
 * cached, the next call asks again). No framework: construct it with a {@link RegistryClient} and the keys. Thread-safe.
 */
public final class CosignVerifier {
    public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    public static final String PAYLOAD_TYPE = "cosign container image signature";
    public static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String INTOTO_PAYLOAD = "application/vnd.in-toto+json";
    public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int MAX_LAYERS = 32;
    private static final int MAX_BUNDLES = 16;
    private static final long MAX_PAYLOAD = 1 << 20;

    /** What every result of a verifier without keyless identities leaves unestablished, in words. */
    public static final List<String> NOT_CHECKED = List.of(
            "keyless signatures (Fulcio certificate identity and OIDC issuer) are not verified",
            "transparency log (Rekor) inclusion and signed timestamps are not verified",
            "the payload's docker-reference is reported, not required to match the image's repository");

    /** What every result of a verifier with keyless identities leaves unestablished, in words. */
    public static final List<String> NOT_CHECKED_KEYLESS = List.of(
            "keyless: the trusted root is the pinned file as configured, never refreshed online (no TUF)",
            "keyless: certificate revocation is not checked (Fulcio certificates are short-lived, none is revoked)",
            "keyless: RFC 3161 timestamps and Rekor v2 entries are not verified (such bundles are refused)",
            "keyless: the transparency log is never asked; the bundle's inclusion proof and signed checkpoint are "
                    + "verified, not the log's current state",
            "transparency log entries of keyed signatures are not verified",
            "the payload's docker-reference is reported, not required to match the image's repository");

    /**
     * @param verifiedTtl    how long a verified result is answered from memory
     * @param rejectedTtl    how long an unsigned or rejected result is (a signature pushed later is seen after it)
     * @param unavailableTtl how long a "could not check" result is; zero: not cached
     * @param maxEntries     cache size; past it, expired entries go, then those expiring first
     * @param checkBundles   whether to look for Sigstore bundles (two more registry requests per check)
     */
    public record Options(Duration verifiedTtl, Duration rejectedTtl, Duration unavailableTtl, int maxEntries,
                          boolean checkBundles) {
        public Options {
            for (Duration d : List.of(verifiedTtl, rejectedTtl, unavailableTtl)) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("cache TTLs cannot be negative");
                }
            }
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be positive");
            }
        }

        /** verified 10 min, unsigned/rejected 1 min, unavailable not cached, 10 000 entries, bundles checked. */
        public static Options defaults() {
            return new Options(Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ZERO, 10_000, true);
        }

        public Options withTtls(Duration verified, Duration rejected, Duration unavailable) {
            return new Options(verified, rejected, unavailable, maxEntries, checkBundles);
        }

        public Options withCheckBundles(boolean check) {
            return new Options(verifiedTtl, rejectedTtl, unavailableTtl, maxEntries, check);
        }
    }

    private record Cached(VerificationResult result, Instant expires) {
    }

    /** The outcome of one route (signature tag, or bundles). */
    private record Outcome(Status status, String keyId, String dockerReference, String reason) {
    }

    private final RegistryClient registry;
    private final List<AcceptedKey> keys;
    private final List<AcceptedIdentity> identities;
    private final KeylessBundles keyless;
    private final Options options;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public CosignVerifier(RegistryClient registry, List<AcceptedKey> keys) {
        this(registry, keys, Options.defaults(), Clock.systemUTC());
    }

    public CosignVerifier(RegistryClient registry, List<AcceptedKey> keys, Options options, Clock clock) {
        this(registry, keys, List.of(), null, options, clock);
    }

    /**
     * A verifier that also accepts keyless signatures by {@code identities}, checked against {@code keyless}'s
     * pinned trusted root. Either list may be empty, not both.
     */
    public CosignVerifier(RegistryClient registry, List<AcceptedKey> keys, List<AcceptedIdentity> identities,
                          KeylessBundles keyless, Options options, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.keys = List.copyOf(keys);
        this.identities = List.copyOf(identities);
        this.keyless = keyless;
        if (this.keys.isEmpty() && this.identities.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted key or keyless identity is needed");
        }
        if (!this.identities.isEmpty() && keyless == null) {
            throw new IllegalArgumentException("keyless identities need a trusted root");
        }
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public List<AcceptedKey> acceptedKeys() {
        return keys;
    }

    public List<AcceptedIdentity> acceptedIdentities() {
        return identities;
    }

    /**
     * Verifies an image given as text ({@code registry/repo@sha256:<hex>}).
     *
     * @throws IllegalArgumentException for anything not addressed by a sha256 digest, without asking the registry
     *                                  (a tag can be moved after the check)
     */
    public VerificationResult verify(String imageReference) {
        return verify(ImageReference.parse(imageReference));
    }

    /** Verifies one image digest; answers from the cache while an earlier result lives. */
    public VerificationResult verify(ImageReference image) {
        Objects.requireNonNull(image, "image");
        Instant now = clock.instant();
        String key = image.toString();
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.expires)) {
            return c.result;
        }
        VerificationResult result = check(image, now);
        Duration ttl = switch (result.status()) {
            case VERIFIED -> options.verifiedTtl();
            case UNSIGNED, REJECTED -> options.rejectedTtl();
            case UNAVAILABLE -> options.unavailableTtl();
        };
        if (!ttl.isZero()) {
            if (cache.size() >= options.maxEntries()) {
                evict(now);
            }
            cache.put(key, new Cached(result, now.plus(ttl)));
        } else {
            cache.remove(key);
        }
        return result;
    }

    /** Forgets the cached result of one image (e.g. after a signature was pushed). */
    public void invalidate(ImageReference image) {
        cache.remove(image.toString());
    }

    public void invalidateAll() {
        cache.clear();
    }

    private void evict(Instant now) {
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().expires));
        int excess = cache.size() - options.maxEntries() + 1;
        if (excess > 0) {
            cache.entrySet().stream().sorted(Comparator.comparing(e -> e.getValue().expires)).limit(excess)
                    .map(Map.Entry::getKey).collect(Collectors.toList()).forEach(cache::remove);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private VerificationResult check(ImageReference image, Instant now) {
        Outcome sig = checkSignatureTag(image);
        List<BundleReport> bundles = new ArrayList<>();
        String bundleProblem = null;
        if (options.checkBundles()) {
            try {
                bundles.addAll(findBundles(image));
            } catch (RegistryException e) {
                bundleProblem = "Sigstore bundles could not be listed: " + describe(e);
            }
        }
        List<String> notChecked = new ArrayList<>(identities.isEmpty() ? NOT_CHECKED : NOT_CHECKED_KEYLESS);
        if (!options.checkBundles()) {
            notChecked.add("Sigstore bundles (referrers) were not looked for");
        } else if (bundleProblem != null) {
            notChecked.add(bundleProblem);
        }
        if (sig.status == Status.VERIFIED) {
            return new VerificationResult(image, Status.VERIFIED, Method.COSIGN_SIGNATURE_TAG, sig.keyId,
                    sig.dockerReference, now, sig.reason, bundles, notChecked);
        }
        Optional<BundleReport> good = bundles.stream().filter(b -> b.verified() && b.signsImage()).findFirst();
        if (good.isPresent() && good.get().material().equals("certificate")) {
            return new VerificationResult(image, Status.VERIFIED, Method.SIGSTORE_KEYLESS_BUNDLE, good.get().keyId(),
                    null, now, "verified: Sigstore bundle " + good.get().manifestDigest() + " (" + good.get().content()
                            + "), " + good.get().note() + "; " + sig.reason, bundles, notChecked);
        }
        if (good.isPresent()) {
            return new VerificationResult(image, Status.VERIFIED, Method.SIGSTORE_BUNDLE, good.get().keyId(), null, now,
                    "verified: Sigstore bundle " + good.get().manifestDigest() + " (" + good.get().content()
                            + ") signed by key " + good.get().keyId() + "; " + sig.reason, bundles, notChecked);
        }
        String bundleWords = bundles.isEmpty() ? "" : "; bundles: " + bundles.stream()
                .map(b -> b.manifestDigest() + " " + b.note()).collect(Collectors.joining("; "));
        if (sig.status == Status.UNAVAILABLE) {
            return new VerificationResult(image, Status.UNAVAILABLE, null, null, null, now, sig.reason + bundleWords,
                    bundles, notChecked);
        }
        if (bundleProblem != null) {
            // a keyed bundle might have verified it: whether it is signed is not known
            return new VerificationResult(image, Status.UNAVAILABLE, null, null, null, now,
                    sig.reason + "; " + bundleProblem, bundles, notChecked);
        }
        if (sig.status == Status.REJECTED || !bundles.isEmpty()) {
            return new VerificationResult(image, Status.REJECTED, null, null, null, now, sig.reason + bundleWords,
                    bundles, notChecked);
        }
        return new VerificationResult(image, Status.UNSIGNED, null, null, null, now,
                sig.reason + (options.checkBundles() ? "; no Sigstore bundle attached" : ""), bundles, notChecked);
    }

    private Outcome checkSignatureTag(ImageReference image) {
        String where = image.repositoryPath();
        String tag = image.signatureTag();
        Optional<RegistryClient.Manifest> manifest;
        JsonNode json;
        try {
            manifest = registry.manifest(image.apiHost(), image.repository(), tag);
            if (manifest.isEmpty()) {
                return new Outcome(Status.UNSIGNED, null, null, "no signature tag " + tag + " in " + where);
            }
            json = manifest.get().json();
        } catch (RegistryException e) {
            return new Outcome(Status.UNAVAILABLE, null, null, describe(e));
        }
        JsonNode layers = json.path("layers");
        if (!layers.isArray() || layers.isEmpty()) {
            return new Outcome(Status.REJECTED, null, null, "signature manifest " + tag + " in " + where
                    + " has no layers");
        }
        List<String> problems = new ArrayList<>();
        String unavailable = null;
        int index = 0;
        int simpleSigning = 0;
        for (JsonNode layer : layers) {
            index++;
            if (!SIMPLE_SIGNING.equals(layer.path("mediaType").asText())) {
                continue;
            }
            if (++simpleSigning > MAX_LAYERS) {
                problems.add("more than " + MAX_LAYERS + " signature layers; the rest were not read");
                break;
            }
            String label = "layer " + index;
            String digest = layer.path("digest").asText("");
            String signature = layer.path("annotations").path(SIGNATURE_ANNOTATION).asText("");
            if (!DIGEST.matcher(digest).matches()) {
                problems.add(label + ": descriptor digest is not sha256 (" + digest + ")");
                continue;
            }
            if (signature.isEmpty()) {
                problems.add(label + ": no " + SIGNATURE_ANNOTATION + " annotation");
                continue;
            }
            if (layer.path("size").asLong(0) > MAX_PAYLOAD) {
                problems.add(label + ": payload larger than " + MAX_PAYLOAD + " bytes");
                continue;
            }
            byte[] payload;
            try {
                payload = registry.blob(image.apiHost(), image.repository(), digest);
            } catch (RegistryException e) {
                if (e.kind() == RegistryException.Kind.NOT_FOUND) {
                    problems.add(label + ": payload blob " + digest + " missing from " + where);
                } else {
                    unavailable = describe(e);
                }
                continue;
            }
            String actual = RegistryClient.sha256Digest(payload);
            if (!actual.equals(digest)) {
                problems.add(label + ": layer digest mismatch: the descriptor names " + digest + " but the blob served is "
                        + actual);
                continue;
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(signature.trim());
            } catch (IllegalArgumentException e) {
                problems.add(label + ": signature annotation is not base64");
                continue;
            }
            Optional<AcceptedKey> by = keys.stream().filter(k -> k.verifies(payload, sig)).findFirst();
            if (by.isEmpty()) {
                problems.add(label + ": signature by a key not accepted, or over other bytes (no accepted key "
                        + keyIds() + " verifies it)");
                continue;
            }
            JsonNode p;
            try {
                p = Json.read(payload);
            } catch (IOException e) {
                problems.add(label + ": signed payload is not JSON (" + e.getMessage() + ")");
                continue;
            }
            JsonNode critical = p.path("critical");
            String type = critical.path("type").asText("");
            if (!PAYLOAD_TYPE.equalsIgnoreCase(type)) {
                problems.add(label + ": signed payload's critical.type is \"" + type + "\", not \"" + PAYLOAD_TYPE + "\"");
                continue;
            }
            String named = critical.path("image").path("docker-manifest-digest").asText("");
            if (!image.digest().equals(named)) {
                problems.add(label + ": payload names digest " + (named.isEmpty() ? "(none)" : named) + " not "
                        + image.digest());
                continue;
            }
            String reference = critical.path("identity").path("docker-reference").asText(null);
            return new Outcome(Status.VERIFIED, by.get().keyId(), reference, "verified: cosign signature in " + tag
                    + " by key " + by.get().keyId() + " (" + by.get().algorithm() + ")"
                    + (reference == null ? "" : ", docker-reference " + reference));
        }
        if (simpleSigning == 0) {
            return new Outcome(Status.REJECTED, null, null, "signature manifest " + tag + " in " + where
                    + " holds no " + SIMPLE_SIGNING + " layer");
        }
        if (unavailable != null && problems.isEmpty()) {
            return new Outcome(Status.UNAVAILABLE, null, null, unavailable);
        }
        String all = String.join("; ", problems);
        if (unavailable != null) {
            // one layer could not be read, the others do not hold up: whether it would have verified is unknown
            return new Outcome(Status.UNAVAILABLE, null, null, unavailable + "; " + all);
        }
        return new Outcome(Status.REJECTED, null, null, "not verified: " + all);
    }

    // -------------------------------------------------------------------------------------------- bundles

    private List<BundleReport> findBundles(ImageReference image) throws RegistryException {
        JsonNode index = registry.referrers(image.apiHost(), image.repository(), image.digest(), BUNDLE_V03).orElse(null);
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
            if (!DIGEST.matcher(digest).matches()) {
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
        if (!DIGEST.matcher(blobDigest).matches() || layer.path("size").asLong(0) > MAX_PAYLOAD) {
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
        boolean signs = content.equals("message-signature") || COSIGN_SIGN_PREDICATE.equals(predicate);
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
        if (!INTOTO_PAYLOAD.equals(payloadType) || statement == null) {
            return new BundleReport(manifestDigest, "dsse-envelope", predicate, "public-key", tlog, false, false, null,
                    "DSSE payload type " + payloadType + " is not an in-toto statement");
        }
        boolean names = false;
        for (JsonNode subject : statement.path("subject")) {
            names |= image.digestHex().equals(subject.path("digest").path("sha256").asText(""));
        }
        boolean signs = COSIGN_SIGN_PREDICATE.equals(predicate);
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

    private String keyIds() {
        return keys.stream().map(AcceptedKey::keyId).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String describe(RegistryException e) {
        return switch (e.kind()) {
            case TIMEOUT -> "registry timed out: " + e.getMessage();
            case UNREACHABLE -> "registry unreachable: " + e.getMessage();
            case DENIED -> "registry refused access: " + e.getMessage();
            case NOT_FOUND, BAD_RESPONSE -> "registry answered badly: " + e.getMessage();
        };
    }
}
