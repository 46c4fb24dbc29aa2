package io.canaryjudge.integrations;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable identifiers derived from what a deploy tool knows. Argo's pod-template hash and Flagger's checksum are
 * not image digests; where a caller gives no digest the analysis records {@code sha256(<source>:<value>)} in the
 * digest's place, so the stored pair still tells the cohorts apart. Such analyses carry no rollback target.
 */
public final class Fingerprints {
    private Fingerprints() {
    }

    public static String digestOf(String source, String value) {
        return "sha256:" + sha256(source + ":" + value);
    }

    /** An idempotency key of at most 200 characters: the readable form when it fits, else a hash of it. */
    public static String eventId(String prefix, String readable) {
        String id = prefix + ":" + readable;
        return id.length() <= 200 && id.matches("[A-Za-z0-9][A-Za-z0-9._:/@+=-]*") ? id : prefix + ":" + sha256(readable);
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
