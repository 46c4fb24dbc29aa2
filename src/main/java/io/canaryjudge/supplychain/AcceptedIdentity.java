package io.canaryjudge.supplychain;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A keyless signer whose signatures are accepted: the OIDC issuer that vouched for it, compared exactly, and a
 * regular expression the certificate's subject (its one SAN: an e-mail address or a URI such as a CI workflow's) must
 * match as a whole. Written {@code <issuer>|<subject-regexp>} in the configuration, e.g.
 * {@code https://token.actions.githubusercontent.com|https://github\.com/acme/shop/\.github/workflows/release\.yml@refs/heads/main}.
 *
 * @param issuer  the OIDC issuer URL, exactly as Fulcio wrote it into the certificate
 * @param subject the regular expression over the whole SAN (anchored: {@code .*} must be written where meant)
 */
public record AcceptedIdentity(String issuer, String subject) {
    public AcceptedIdentity {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        if (issuer.isBlank() || subject.isBlank()) {
            throw new IllegalArgumentException("an identity needs an issuer and a subject expression");
        }
        try {
            Pattern.compile(subject);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("subject is not a regular expression: " + e.getDescription(), e);
        }
    }

    /** Reads {@code <issuer>|<subject-regexp>}; the first {@code |} separates them (an issuer URL holds none). */
    public static AcceptedIdentity parse(String text) {
        String t = Objects.requireNonNull(text, "text").trim();
        int bar = t.indexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException("expected <issuer>|<subject-regexp>, not '" + text + "'");
        }
        return new AcceptedIdentity(t.substring(0, bar).trim(), t.substring(bar + 1).trim());
    }

    /** Whether a certificate issued for {@code san} by way of {@code oidcIssuer} is this signer. */
    public boolean matches(String oidcIssuer, String san) {
        return issuer.equals(oidcIssuer) && san != null && Pattern.compile(subject).matcher(san).matches();
    }

    @Override
    public String toString() {
        return issuer + "|" + subject;
    }
}
