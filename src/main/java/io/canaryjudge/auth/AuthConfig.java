package io.canaryjudge.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Who may call what. */
@ConfigMapping(prefix = "canary.auth")
public interface AuthConfig {
    /**
     * API keys as {@code name:key:role+role}, comma-separated (env CANARY_AUTH_API_KEYS, typically from a Secret).
     * Roles: {@code deployer} (start and cancel analyses, integration endpoints), {@code approver} (approve or
     * abort by hand), {@code reader} (read endpoints when they are protected), {@code admin} (everything).
     * Without keys the service refuses to start unless {@link #mode()} is {@code open}.
     */
    Optional<List<String>> apiKeys();

    /**
     * {@code keys} (the default): every write needs an API key, and a service without keys refuses to start — it can
     * roll back production, so it never runs anonymous by accident. {@code open}: no keys needed, for the demo, the
     * tests and a sidecar that listens on localhost only; said loudly in the log at every start. Ignored (with a
     * warning) when keys are configured: keys are then always checked (env CANARY_AUTH_MODE).
     */
    @WithDefault("keys")
    String mode();

    /**
     * Path prefixes left open even when keys are configured, for peers that cannot send a header — Argo's
     * {@code kayenta} provider ({@code /canary,/canaryConfig}) and Flagger webhooks ({@code /api/v1/flagger}).
     * Protect those with a network policy instead (env CANARY_AUTH_OPEN_PREFIXES).
     */
    Optional<List<String>> openPrefixes();

    /** Whether read endpoints (GET) also need a key with role reader (env CANARY_AUTH_PROTECT_READS). */
    @WithDefault("false")
    boolean protectReads();
}
