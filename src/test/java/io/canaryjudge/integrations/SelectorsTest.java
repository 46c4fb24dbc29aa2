package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.canaryjudge.problem.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {
    @Test
    void commaSeparatedPairsBecomeLabels() {
        assertEquals(Map.of("app", "checkout", "track", "canary"), Selectors.parse("f", "app=checkout, track=canary"));
    }

    @Test
    void kayentaStyleAndJoinedScopeWithKubernetesLabelKeys() {
        assertEquals(Map.of("app", "guestbook", "rollouts_pod_template_hash", "6b8d9c7f4"),
                Selectors.parse("scope", "app=guestbook and rollouts-pod-template-hash=6b8d9c7f4"));
    }

    @Test
    void doubleEqualsQuotesAndAmpersandsAreAccepted() {
        assertEquals(Map.of("app", "a b", "track", "canary"), Selectors.parse("f", "app==\"a b\" && track='canary'"));
    }

    @Test
    void prefixedKeysKeepTheirLastSegment() {
        assertEquals("app_kubernetes_io_name", Selectors.labelName("app.kubernetes.io/name"), "as kubernetes_sd's "
                + "__meta_kubernetes_pod_label_app_kubernetes_io_name, not a bare name that collides with other prefixes");
        assertEquals("_1abc", Selectors.labelName("1abc"));
    }

    @Test
    void partWithoutEqualsIsRejectedNamingTheField() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Selectors.parse("canaryLabels", "app=checkout,canary"));
        assertEquals("canaryLabels", e.field());
        assertEquals("canaryLabels: 'canary' is not name=value", e.getMessage());
    }
}
