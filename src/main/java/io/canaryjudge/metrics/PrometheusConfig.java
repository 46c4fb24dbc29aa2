package io.canaryjudge.metrics;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

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

    /** Most queries in flight towards Prometheus at once, for the whole service. */
    @WithDefault("8")
    int maxConcurrency();

    /** Bearer token sent as Authorization header (env CANARY_PROMETHEUS_BEARER_TOKEN). */
    Optional<String> bearerToken();
}
