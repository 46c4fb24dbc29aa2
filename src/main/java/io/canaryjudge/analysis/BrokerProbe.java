package io.canaryjudge.analysis;

/**
 * Whether the Kafka brokers answer now: the port through which {@link Ownership} learns that Kafka is down, so that
 * analyses keep running on leases alone. Implemented by the intake's Kafka health check.
 */
public interface BrokerProbe {

    /** Asks the brokers now (bounded by a few seconds); false when they do not answer. */
    boolean reachable();
}
