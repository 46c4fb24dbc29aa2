package io.canaryjudge.supplychain;

import java.util.Objects;

/**
 * One Sigstore bundle found attached to an image digest, and what was made of it.
 *
 * @param manifestDigest the digest of the referring manifest that carries the bundle
 * @param content        {@code dsse-envelope}, {@code message-signature} or {@code unknown}
 * @param predicateType  the in-toto predicate type of a DSSE statement (e.g. {@code https://sigstore.dev/cosign/sign/v1}
 *                       for {@code cosign sign}'s bundles); null for message signatures
 * @param material       {@code public-key} (keyed), {@code certificate} (keyless) or {@code none}
 * @param tlogEntries    how many transparency log entries the bundle carries (checked only for keyless bundles)
 * @param verified       an accepted key, or an accepted keyless identity, signed it and it names this digest
 * @param signsImage     it is a signature of the image (a message signature, or a statement of cosign's sign
 *                       predicate) rather than another attestation; only such bundles can verify an image
 * @param keyId          the accepted key that verified it, {@code <issuer>|<subject>} for a keyless one, or null
 * @param note           what was found, in words
 */
public record BundleReport(String manifestDigest, String content, String predicateType, String material,
                           int tlogEntries, boolean verified, boolean signsImage, String keyId, String note) {
    public BundleReport {
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(note, "note");
    }
}
