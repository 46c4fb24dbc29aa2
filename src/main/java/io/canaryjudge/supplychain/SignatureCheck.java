package io.canaryjudge.supplychain;

import java.time.Instant;

/**
 * The policy's answer for one digest about to be promoted or written by a rollback: whether it may go ahead, and
 * what was verified, in words for the verdict event, the rollback status and the web page.
 *
 * @param purpose   what the digest is about to be used for
 * @param mode      the mode that applied (namespace or service-wide)
 * @param image     the image checked ({@code repository@digest}), null when the event named no repository
 * @param status    VERIFIED, UNSIGNED, REJECTED, UNAVAILABLE (registry not reachable), or NOT_CHECKED (mode off, or
 *                  no repository to check against)
 * @param allowed   false only under {@code required}
 * @param keyId     the accepted key that verified it, or a keyless signer's {@code <issuer>|<subject>}; null unless
 *                  VERIFIED
 * @param checkedAt when the registry was asked; null when it was not
 * @param reason    one sentence: what was verified, or why not
 */
public record SignatureCheck(Purpose purpose, SignatureMode mode, String image, String status, boolean allowed,
                             String keyId, Instant checkedAt, String reason) {

    /** What the checked digest is about to be used for. */
    public enum Purpose {
        /** the canary digest of a PROMOTE */
        PROMOTE,
        /** the stable digest a rollback writes */
        ROLLBACK
    }

    public static final String NOT_CHECKED = "NOT_CHECKED";

    /** True when the registry could not be asked: worth asking again later, unlike a definite "not signed". */
    public boolean couldNotCheck() {
        return VerificationResult.Status.UNAVAILABLE.name().equals(status);
    }

    /** True when a signature by an accepted key or keyless identity was verified. */
    public boolean verified() {
        return VerificationResult.Status.VERIFIED.name().equals(status);
    }
}
