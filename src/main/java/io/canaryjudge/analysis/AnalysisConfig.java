package io.canaryjudge.analysis;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How analyses are scheduled. */
@ConfigMapping(prefix = "canary.analysis")
public interface AnalysisConfig {
    /**
     * Threads taking measurements (each queries Prometheus and judges); analyses share them, none owns one. As many as
     * the Prometheus query bound ({@code canary.prometheus.max-concurrency}): fewer workers than permits leave
     * Prometheus idle while measurements queue (measured in BENCHMARKS.md). Idle workers cost nothing.
     */
    @WithDefault("16")
    int workers();

    /**
     * Wait after a window closes before measuring it, so Prometheus has scraped its last samples
     * (env CANARY_ANALYSIS_QUERY_DELAY).
     */
    @WithDefault("0s")
    Duration queryDelay();

    /** Wait before retrying a measurement that failed for a reason other than the metrics (e.g. the store). */
    @WithDefault("15s")
    Duration retryDelay();

    /**
     * How often the store is swept for running analyses this replica owns but does not run yet (moved by a
     * rebalance, started over REST on another replica, left by a crash).
     */
    @WithDefault("10s")
    Duration sweepInterval();

    /**
     * Most analyses one replica runs at once (env CANARY_ANALYSIS_MAX_IN_FLIGHT). Beyond it a new analysis is not
     * started: REST and the integrations answer 503 with Retry-After, the Kafka consumer holds the event (no ack, no
     * dead letter) and retries, so intake slows down instead of the measurements falling behind.
     */
    @WithDefault("10000")
    int maxInFlight();

    /**
     * Which analyses a replica runs (env CANARY_ANALYSIS_OWNERSHIP): {@code partition} (the default), those whose key
     * falls in a partition of the deployments topic it consumes; {@code all}, every analysis (one instance, the
     * sidecar).
     */
    @WithDefault("partition")
    String ownership();

    /**
     * With partition ownership: how long Kafka must be unreachable, with no partition assigned to this replica, before
     * it runs analyses on store leases alone (env CANARY_ANALYSIS_KAFKA_DOWN_AFTER).
     */
    @WithDefault("60s")
    Duration kafkaDownAfter();

    /**
     * How long a replica's claim on an analysis lasts without renewal (env CANARY_ANALYSIS_LEASE_DURATION); renewed
     * every third of it while the replica runs the analysis. A replica that stops (or pauses) longer loses the
     * analysis to the next one that claims it, and its late writes are refused (fencing).
     */
    @WithDefault("60s")
    Duration leaseDuration();

    /** Most raw values of one cohort kept with a stored measurement (for charts and audits). */
    @WithDefault("2000")
    int maxStoredValues();
}
