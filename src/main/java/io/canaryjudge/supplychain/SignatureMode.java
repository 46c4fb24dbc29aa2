package io.canaryjudge.supplychain;

import java.util.Locale;

/** How strictly image signatures are enforced for a namespace. */
public enum SignatureMode {
    /** Nothing is checked. */
    OFF,
    /** Checked and reported (verdict, rollback detail, metric), never blocking. */
    WARN,
    /** An unverified canary is never promoted; a rollback never writes an unverified stable digest. */
    REQUIRED;

    /** {@code off}, {@code warn} or {@code required}, in any case. */
    public static SignatureMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("signature mode must be off, warn or required, not '" + text + "'");
        }
    }
}
