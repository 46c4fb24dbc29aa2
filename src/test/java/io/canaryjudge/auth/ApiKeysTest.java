package io.canaryjudge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void withoutKeysTheServiceRefusesToStartUnlessOpenModeIsAskedFor() {
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> AuthFilter.check("keys", true));
        assertTrue(closed.getMessage().contains("refusing to start"), closed.getMessage());
        assertTrue(closed.getMessage().contains("CANARY_AUTH_MODE=open"), closed.getMessage());
        AuthFilter.check("open", true);
        AuthFilter.check("keys", false);
        AuthFilter.check("open", false);
        assertThrows(IllegalStateException.class, () -> AuthFilter.check("anonymous", true));
    }

    @Test
    void keysResolveToTheirNamedPrincipalAndRoles() {
        ApiKeys keys = ApiKeys.parse(List.of("ci:0123456789abcdef:deployer+reader", " ops:fedcba9876543210:admin "));
        ApiKeys.Principal ci = keys.find("0123456789abcdef").orElseThrow();
        assertEquals("ci", ci.name());
        assertTrue(ci.has("deployer") && ci.has("reader"));
        assertFalse(ci.has("approver"));
        assertTrue(keys.find("fedcba9876543210").orElseThrow().has("approver"), "admin has every role");
        assertTrue(keys.find("0123456789abcdeX").isEmpty());
    }

    @Test
    void badEntriesAreRejectedWithoutEchoingTheKey() {
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("ci:short:deployer")));
        assertFalse(shortKey.getMessage().contains("short"), shortKey.getMessage());
        IllegalArgumentException role = assertThrows(IllegalArgumentException.class,
                () -> ApiKeys.parse(List.of("ci:0123456789abcdef:root")));
        assertTrue(role.getMessage().contains("unknown role"));
        assertFalse(role.getMessage().contains("0123456789abcdef"));
    }

    @Test
    void routesNeedTheRolesTheirEffectNeeds() {
        assertEquals("deployer", AuthFilter.requiredRole("POST", "/api/v1/analyses"));
        assertEquals("approver", AuthFilter.requiredRole("POST", "/api/v1/analyses/abc/decisions"));
        assertEquals("reader-if-protected", AuthFilter.requiredRole("GET", "/api/v1/analyses/abc"));
        assertEquals("deployer", AuthFilter.requiredRole("GET", "/api/v1/argo/verdict"), "it starts analyses");
        assertEquals("deployer", AuthFilter.requiredRole("POST", "/canary/http-golden-signals"));
        assertEquals("deployer", AuthFilter.requiredRole("POST", "/api/v1/backtests"), "a backtest costs Prometheus queries");
        assertEquals("reader-if-protected", AuthFilter.requiredRole("GET", "/canary/exec-1"));
        assertNull(AuthFilter.requiredRole("POST", "/api/v1/compare"));
        assertNull(AuthFilter.requiredRole("GET", "/q/health/ready"));
        assertNull(AuthFilter.requiredRole("GET", "/index.html"));
    }
}
