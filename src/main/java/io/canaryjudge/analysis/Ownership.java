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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which analyses this replica runs: those whose key ({@code namespace/service}) falls in a partition of
 * {@code deployments} that this replica's consumer owns — Kafka's own assignment is the lease. On a rebalance the
 * new owner sweeps the shared store and resumes the moved analyses. With {@code canary.analysis.ownership=all}
 * (one instance without partition ownership) every analysis is local.
 */
@ApplicationScoped
@Identifier("deployments-rebalance")
@Default
public class Ownership implements KafkaConsumerRebalanceListener {
    private static final Logger LOG = Logger.getLogger(Ownership.class);

    private final boolean partitioned;
    private final Event<Changed> changed;
    private volatile Set<Integer> owned = Set.of();
    private volatile int partitions = -1;

    Ownership(@ConfigProperty(name = "canary.analysis.ownership", defaultValue = "partition") String mode,
              Event<Changed> changed) {
        this.partitioned = !"all".equals(mode);
        this.changed = changed;
    }

    /** Fired after the owned partitions changed. */
    public record Changed(Set<Integer> owned) {
    }

    /** Whether this replica runs the analysis of that key now. */
    public boolean owns(String key) {
        if (!partitioned) {
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
        LOG.infof("ownership partitions=%s of=%d", owned, partitions);
        changed.fire(new Changed(owned));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> revoked) {
        Set<Integer> next = new HashSet<>(owned);
        revoked.forEach(tp -> next.remove(tp.partition()));
        owned = Set.copyOf(next);
        LOG.infof("ownership partitions=%s revoked=%s", owned, revoked);
    }
}
