package io.canaryjudge.supplychain;

import io.canaryjudge.supplychain.VerificationResult.Method;
import io.canaryjudge.supplychain.VerificationResult.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * The two routes are {@link SignatureTag} and {@link SigstoreBundles}; this class weighs their outcomes and caches.
 */
public final class CosignVerifier {
    public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    public static final String PAYLOAD_TYPE = "cosign container image signature";
    public static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
    public static final String INTOTO_PAYLOAD = "application/vnd.in-toto+json";
    public static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** The largest signed payload or bundle read from the registry. */
    static final long MAX_PAYLOAD = 1 << 20;

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

    private final List<AcceptedKey> keys;
    private final List<AcceptedIdentity> identities;
    private final Options options;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final SignatureTag signatureTag;
    private final SigstoreBundles sigstoreBundles;

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
        Objects.requireNonNull(registry, "registry");
        this.keys = List.copyOf(keys);
        this.identities = List.copyOf(identities);
        if (this.keys.isEmpty() && this.identities.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted key or keyless identity is needed");
        }
        if (!this.identities.isEmpty() && keyless == null) {
            throw new IllegalArgumentException("keyless identities need a trusted root");
        }
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signatureTag = new SignatureTag(registry, this.keys);
        this.sigstoreBundles = new SigstoreBundles(registry, this.keys, this.identities, keyless);
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
        SignatureTag.Outcome sig = signatureTag.check(image);
        List<BundleReport> bundles = new ArrayList<>();
        String bundleProblem = null;
        if (options.checkBundles()) {
            try {
                bundles.addAll(sigstoreBundles.find(image));
            } catch (RegistryException e) {
                bundleProblem = "Sigstore bundles could not be listed: " + e.inWords();
            }
        }
        List<String> notChecked = new ArrayList<>(identities.isEmpty() ? NOT_CHECKED : NOT_CHECKED_KEYLESS);
        if (!options.checkBundles()) {
            notChecked.add("Sigstore bundles (referrers) were not looked for");
        } else if (bundleProblem != null) {
            notChecked.add(bundleProblem);
        }
        if (sig.status() == Status.VERIFIED) {
            return new VerificationResult(image, Status.VERIFIED, Method.COSIGN_SIGNATURE_TAG, sig.keyId(),
                    sig.dockerReference(), now, sig.reason(), bundles, notChecked);
        }
        Optional<BundleReport> good = bundles.stream().filter(b -> b.verified() && b.signsImage()).findFirst();
        if (good.isPresent() && good.get().material().equals("certificate")) {
            return new VerificationResult(image, Status.VERIFIED, Method.SIGSTORE_KEYLESS_BUNDLE, good.get().keyId(),
                    null, now, "verified: Sigstore bundle " + good.get().manifestDigest() + " (" + good.get().content()
                            + "), " + good.get().note() + "; " + sig.reason(), bundles, notChecked);
        }
        if (good.isPresent()) {
            return new VerificationResult(image, Status.VERIFIED, Method.SIGSTORE_BUNDLE, good.get().keyId(), null, now,
                    "verified: Sigstore bundle " + good.get().manifestDigest() + " (" + good.get().content()
                            + ") signed by key " + good.get().keyId() + "; " + sig.reason(), bundles, notChecked);
        }
        String bundleWords = bundles.isEmpty() ? "" : "; bundles: " + bundles.stream()
                .map(b -> b.manifestDigest() + " " + b.note()).collect(Collectors.joining("; "));
        if (sig.status() == Status.UNAVAILABLE) {
            return new VerificationResult(image, Status.UNAVAILABLE, null, null, null, now, sig.reason() + bundleWords,
                    bundles, notChecked);
        }
        if (bundleProblem != null) {
            // a keyed bundle might have verified it: whether it is signed is not known
            return new VerificationResult(image, Status.UNAVAILABLE, null, null, null, now,
                    sig.reason() + "; " + bundleProblem, bundles, notChecked);
        }
        if (sig.status() == Status.REJECTED || !bundles.isEmpty()) {
            return new VerificationResult(image, Status.REJECTED, null, null, null, now, sig.reason() + bundleWords,
                    bundles, notChecked);
        }
        return new VerificationResult(image, Status.UNSIGNED, null, null, null, now,
                sig.reason() + (options.checkBundles() ? "; no Sigstore bundle attached" : ""), bundles, notChecked);
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
