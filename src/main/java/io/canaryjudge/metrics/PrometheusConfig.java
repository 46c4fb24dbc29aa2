package io.canaryjudge.metrics;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Where and how to reach Prometheus. */
@ConfigMapping(prefix = "canary.prometheus")
public interface PrometheusConfig {
    /** Base URL of the Prometheus HTTP API (env CANARY_PROMETHEUS_URL). */
    @WithDefault("http://localhost:9090")
    String url();

    /** Time allowed for connecting to Prometheus. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Time allowed for one query to answer. */
    @WithDefault("30s")
    Duration readTimeout();

    /** Retries after a timeout, a connection failure or a 5xx answer (with exponential backoff). */
    @WithDefault("2")
    int retries();

    /** Backoff before the first retry; doubled each time. */
    @WithDefault("500ms")
    Duration backoff();

    /**
     * Most queries in flight towards Prometheus at once, from this replica. The default stays below Prometheus' own
     * default of 20 concurrent queries ({@code --query.max-concurrency}) and near where one client reaches most of
     * Prometheus' rate (BENCHMARKS.md); it is only reached when measurements queue. With several replicas, their sum
     * must stay under Prometheus' limit.
     */
    @WithDefault("16")
    int maxConcurrency();

    /**
     * Of {@link #maxConcurrency()}, the most queries backtests may hold at once (env
     * CANARY_PROMETHEUS_BACKTEST_CONCURRENCY); live analyses keep the rest, so a long backtest never makes a live
     * measurement wait for a permit. Default: a quarter of maxConcurrency (at least 1). With a concurrency of 1 both
     * share the one permit.
     */
    OptionalInt backtestConcurrency();

    /**
     * The largest answer read from Prometheus (env CANARY_PROMETHEUS_MAX_RESPONSE_SIZE): a query that selects far more
     * series or points than a canary needs fails with a clear error instead of filling the heap.
     */
    @WithDefault("32M")
    MemorySize maxResponseSize();

    /** Bearer token sent as Authorization header (env CANARY_PROMETHEUS_BEARER_TOKEN). */
    Optional<String> bearerToken();

    /** Basic-auth user (env CANARY_PROMETHEUS_USERNAME); used when no bearer token is set. */
    Optional<String> username();

    /** Basic-auth password (env CANARY_PROMETHEUS_PASSWORD). */
    Optional<String> password();

    /**
     * A file holding the bearer token (env CANARY_PROMETHEUS_BEARER_TOKEN_FILE), e.g. a mounted Secret or a projected
     * ServiceAccount token: re-read when it changes (at most every 10 s), so a rotated token needs no restart. Wins
     * over bearerToken.
     */
    Optional<Path> bearerTokenFile();

    /** A file holding the basic-auth password (env CANARY_PROMETHEUS_PASSWORD_FILE), re-read like the token file. */
    Optional<Path> passwordFile();

    /** Extra headers on every request, e.g. {@code canary.prometheus.headers.X-Scope-OrgID=team-a} for Mimir/Cortex. */
    Map<String, String> headers();

    /** TLS towards Prometheus. */
    Tls tls();

    /** TLS options. */
    interface Tls {
        /** PEM file of CA certificates to trust instead of the JVM's (env CANARY_PROMETHEUS_TLS_CA_FILE). */
        Optional<Path> caFile();

        /** Skip certificate verification (testing only; env CANARY_PROMETHEUS_TLS_INSECURE_SKIP_VERIFY). */
        @WithDefault("false")
        boolean insecureSkipVerify();
    }
}
