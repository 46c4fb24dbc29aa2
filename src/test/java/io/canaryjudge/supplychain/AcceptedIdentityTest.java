package io.canaryjudge.supplychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code <issuer>|<subject-regexp>}: the exact issuer, and an expression over the whole SAN. */
class AcceptedIdentityTest {
    static final String ISSUER = "https://token.actions.githubusercontent.com";

    @Test
    void theFirstBarSeparatesTheIssuerFromTheExpression() {
        AcceptedIdentity id = AcceptedIdentity.parse(" " + ISSUER + " | https://github\\.com/acme/(shop|cart)/.* ");

        assertEquals(ISSUER, id.issuer());
        assertEquals("https://github\\.com/acme/(shop|cart)/.*", id.subject());
        assertEquals(ISSUER + "|https://github\\.com/acme/(shop|cart)/.*", id.toString());
    }

    @Test
    void theIssuerIsComparedExactlyAndTheExpressionOverTheWholeSan() {
        AcceptedIdentity id = AcceptedIdentity.parse(ISSUER + "|https://github\\.com/acme/shop/.*");

        assertTrue(id.matches(ISSUER, "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main"));
        assertFalse(id.matches(ISSUER + "/", "https://github.com/acme/shop/x"), "another issuer string");
        assertFalse(id.matches(ISSUER, "https://githubxcom/acme/shop/x"), "an escaped dot is a dot");
        assertFalse(id.matches(ISSUER, "https://evil.example/https://github.com/acme/shop/x"), "anchored at the start");
        assertFalse(id.matches(ISSUER, null));
    }

    @Test
    void malformedIdentitiesAreRefusedWithTheReason() {
        assertEquals("expected <issuer>|<subject-regexp>, not 'no-bar'",
                assertThrows(IllegalArgumentException.class, () -> AcceptedIdentity.parse("no-bar")).getMessage());
        assertEquals("an identity needs an issuer and a subject expression",
                assertThrows(IllegalArgumentException.class, () -> AcceptedIdentity.parse(ISSUER + "| ")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AcceptedIdentity.parse(ISSUER + "|(unclosed"))
                .getMessage().startsWith("subject is not a regular expression: Unclosed group"));
    }
}
