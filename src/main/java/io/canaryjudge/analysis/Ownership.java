package io.canaryjudge.analysis;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Default;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * Which analyses this replica runs: those whose key ({@code namespace/service}) falls in a partition of
 * {@code deployments} that this replica's consumer owns — Kafka's own assignment is the lease. On a rebalance the
 * new owner sweeps the shared store and resumes the moved analyses. With {@code canary.analysis.ownership=all}
 * (one instance without partition ownership) every analysis is local. Which replica actually runs an analysis is
 * settled by its lease in the store (the engine claims it first); while Kafka is down and this replica owns no
 * partition, it runs on leases alone ({@link #checkBrokers()}).
 */
@ApplicationScoped
@Identifier("deployments-rebalance")
@Default
public class Ownership implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Ownership.class);

    private final boolean partitioned;
    private final Event<Changed> changed;
    private final jakarta.enterprise.inject.Instance<BrokerProbe> brokers;
    private final java.time.Duration brokersDownAfter;
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitions = -1;
    /** Since when (nanoTime) this replica has owned no partition, or 0 while it owns some. */
    private volatile long unassignedSince = System.nanoTime();
    /** Since when (nanoTime) the brokers have not answered, or 0 while they do. */
    private volatile long brokersDownSince;
    private volatile boolean leasesOnly;

    Ownership(AnalysisConfig config, Event<Changed> changed,
              // @Any: the implementation is a health check, qualified @Wellness
              @jakarta.enterprise.inject.Any jakarta.enterprise.inject.Instance<BrokerProbe> brokers) {
        this.partitioned = !"all".equals(config.ownership());
        this.changed = changed;
        this.brokers = brokers;
        this.brokersDownAfter = config.kafkaDownAfter();
    }

    /**
     * Called by the engine's sweep: when this replica owns no partition and the brokers have not answered for
     * {@code kafka-down-after}, it runs analyses on store leases alone — every replica may claim any running analysis,
     * and the lease lets exactly one run each — so analyses go on while Kafka is down. Back to partitions as soon as
     * it owns some again.
     */
    void checkBrokers() {
        if (!partitioned || !owned.isEmpty() || !brokers.isResolvable()) {
            setLeasesOnly(false);
            return;
        }
        long now = System.nanoTime();
        if (brokers.get().reachable()) {
            brokersDownSince = 0;
        } else if (brokersDownSince == 0) {
            brokersDownSince = now;
        }
        long limit = brokersDownAfter.toNanos();
        setLeasesOnly(brokersDownSince != 0 && now - brokersDownSince >= limit && now - unassignedSince >= limit);
    }

    private void setLeasesOnly(boolean on) {
        if (on != leasesOnly) {
            leasesOnly = on;
            if (on) {
                LOG.warnf("ownership: Kafka has not answered for %s and no partition is assigned: running analyses on "
                        + "store leases alone until it is back", brokersDownAfter);
            } else {
                LOG.info("ownership: by Kafka partitions again");
            }
            changed.fire(new Changed(owned));
        }
    }

    /** Whether this replica runs analyses on store leases alone (Kafka down, no partition assigned). */
    public boolean leasesOnly() {
        return leasesOnly;
    }

    /** Fired after the owned partitions changed. */
    public record Changed(Set<Integer> owned) {
    }

    /** Whether this replica runs the analysis of that key now. */
    public boolean owns(String key) {
        if (!partitioned || leasesOnly) {
            return true;
        }
        int n = partitions;
        return n > 0 && owned.contains(partition(key, n));
    }

    /** Kafka's partition for a keyed record (murmur2 of the key bytes, as the default partitioner). */
    static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> assigned) {
        Set<Integer> next = new HashSet<>(owned);
        String topic = null;
        for (TopicPartition tp : assigned) {
            next.add(tp.partition());
            topic = tp.topic();
        }
        if (topic != null) {
            partitions = consumer.partitionsFor(topic).size();
        }
        owned = Set.copyOf(next);
        if (!owned.isEmpty()) {
            unassignedSince = 0;
            leasesOnly = false;
        }
        LOG.infof("ownership partitions=%s of=%d", owned, partitions);
        changed.fire(new Changed(owned));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        Set<Integer> next = new HashSet<>(owned);
        revoked.forEach(tp -> next.remove(tp.partition()));
        owned = Set.copyOf(next);
        if (owned.isEmpty()) {
            unassignedSince = System.nanoTime();
        }
        LOG.infof("ownership partitions=%s revoked=%s", owned, revoked);
    }
}
