package io.canaryjudge.supplychain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a signature check of one image digest found. Immutable.
 *
 * <p>A policy reads {@link #status()}: {@link Status#VERIFIED} means one of the accepted keys, or an accepted
 * keyless identity, signed exactly this digest; {@link Status#UNSIGNED} and {@link Status#REJECTED} are definite
 * "no"s (nothing is signed, or what is there does not hold up); {@link Status#UNAVAILABLE} means the registry could
 * not be asked, so nothing is known and a policy may wait and ask again rather than treat the image as unsigned.
 *
 * @param image           the image checked
 * @param status          the verdict
 * @param method          how it was verified; null unless {@link Status#VERIFIED}
 * @param keyId           the accepted key that verified it ({@link AcceptedKey#keyId()}), or for a keyless signature
 *                        the certificate's identity {@code <issuer>|<subject>}; null unless verified
 * @param dockerReference the {@code critical.identity.docker-reference} of the verifying simple-signing payload
 *                        (reported, not required to match); null when none verified
 * @param checkedAt       when the registry was asked (a cached answer keeps the time of the check that made it)
 * @param reason          a sentence for people: why it failed, or what verified it
 * @param bundles         the Sigstore bundles found attached to the digest (referrers API or its tag fallback)
 * @param notChecked      what this check did not establish, in words (keyless identities, transparency log, …)
 */
public record VerificationResult(ImageReference image, Status status, Method method, String keyId,
                                 String dockerReference, Instant checkedAt, String reason, List<BundleReport> bundles,
                                 List<String> notChecked) {
    public enum Status {
        /** signed by an accepted key or keyless identity, the signed payload names exactly this digest */
        VERIFIED,
        /** no signature at all: no {@code .sig} tag and no Sigstore bundle */
        UNSIGNED,
        /** signatures exist, none holds up: another key, altered payload, other digest, corrupt layer, … */
        REJECTED,
        /** the registry could not be asked (unreachable, timeout, refused credentials, bad answer): nothing known */
        UNAVAILABLE
    }

    public enum Method {
        /** a cosign simple-signing layer in the manifest tagged {@code sha256-<hex>.sig} */
        COSIGN_SIGNATURE_TAG,
        /** a keyed Sigstore bundle (DSSE envelope or message signature) attached as a referrer */
        SIGSTORE_BUNDLE,
        /** a keyless Sigstore bundle (Fulcio certificate, Rekor entry) of an accepted identity, as a referrer */
        SIGSTORE_KEYLESS_BUNDLE
    }

    public VerificationResult {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(reason, "reason");
        bundles = List.copyOf(bundles);
        notChecked = List.copyOf(notChecked);
        if ((status == Status.VERIFIED) != (method != null && keyId != null)) {
            throw new IllegalArgumentException("a verified result names its method and key, and only a verified one");
        }
    }

    /** Signed by an accepted key for exactly this digest. */
    public boolean verified() {
        return status == Status.VERIFIED;
    }

    /** The registry could not be asked: neither signed nor unsigned is known. */
    public boolean couldNotCheck() {
        return status == Status.UNAVAILABLE;
    }

    public Optional<String> verifyingKeyId() {
        return Optional.ofNullable(keyId);
    }

    public Optional<String> payloadDockerReference() {
        return Optional.ofNullable(dockerReference);
    }
}
