package io.canaryjudge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.metrics.PrometheusException;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void userinfoOfEveryUrlIsRedactedAndNothingElse() {
        assertEquals("commit to https://***@git.example.com/org/config.git main failed",
                Redaction.urls("commit to https://x-access-token:ghp_s3cret@git.example.com/org/config.git main failed"));
        assertEquals("Prometheus unreachable at http://***@prom:9090: refused; retry http://***@other/",
                Redaction.urls("Prometheus unreachable at http://canary:s3cret@prom:9090: refused; retry http://u@other/"));
        assertEquals("ssh://***@github.com/org/repo.git", Redaction.urls("ssh://git@github.com/org/repo.git"));
        // no URL userinfo: unchanged (an e-mail address or a digest is not a URL's userinfo)
        assertEquals("alice@example.com approved sha256:abc", Redaction.urls("alice@example.com approved sha256:abc"));
        assertEquals("http://prom:9090/api/v1/query_range", Redaction.urls("http://prom:9090/api/v1/query_range"));
        assertNull(Redaction.urls(null));
    }

    @Test
    void aPrometheusErrorNeverCarriesTheCredentialsOfItsUrl() {
        PrometheusException e = new PrometheusException("Prometheus unreachable at http://canary:s3cret@127.0.0.1:1: "
                + "java.net.ConnectException", true, null);
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertTrue(e.getMessage().contains("http://***@127.0.0.1:1"), e.getMessage());
    }
}
