package io.canaryjudge.rollback;

import java.util.regex.Pattern;

/** Container image references: {@code repository[:tag][@sha256:<64 hex>]}. Digests only, never tags. */
final class Images {
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private Images() {
    }

    /** A parsed image reference; {@code digest} is null for a tag-only reference. */
    record Ref(String repository, String tag, String digest) {
        boolean pinned() {
            return digest != null;
        }

        String withDigest(String newDigest) {
            return repository + "@" + newDigest;
        }
    }

    static boolean isDigest(String s) {
        return s != null && DIGEST.matcher(s).matches();
    }

    static Ref parse(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("image is empty");
        }
        String rest = image;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new Ref(rest, tag, isDigest(digest) ? digest : null);
    }

    /** How an image is named in a reason: short digests keep messages readable. */
    static String shortly(String digestOrImage) {
        return digestOrImage == null ? "none" : digestOrImage.replaceAll("(sha256:[0-9a-f]{12})[0-9a-f]{52}", "$1…");
    }
}
