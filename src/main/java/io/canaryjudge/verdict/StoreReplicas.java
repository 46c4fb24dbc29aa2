package io.canaryjudge.verdict;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Refuses to take Kafka partitions from an embedded H2 store when more than one replica runs. H2 is a file of one
 * pod: an analysis is stored by the replica whose partition received its event, and when that partition moves to
 * another replica (a rebalance, a scale-out) the new owner sweeps its own, empty store and the analysis is never
 * run, while its offset is already committed. The replica count is declared ({@code canary.replicas}, env
 * {@code CANARY_REPLICAS}, which the deploy/ overlays set beside {@code spec.replicas}): the service does not ask
 * the Kubernetes API how many pods its Deployment wants. {@code canary.analysis.ownership=all} (the sidecar, which
 * runs every analysis it stores) and PostgreSQL are not affected.
 */
@ApplicationScoped
public class StoreReplicas {
    private static final Logger LOG = Logger.getLogger(StoreReplicas.class);

    private final String store;
    private final String ownership;
    private final int replicas;

    StoreReplicas(@ConfigProperty(name = "canary.db.active", defaultValue = "h2") String store,
                  @ConfigProperty(name = "canary.analysis.ownership", defaultValue = "partition") String ownership,
                  @ConfigProperty(name = "canary.replicas", defaultValue = "1") int replicas) {
        this.store = store;
        this.ownership = ownership;
        this.replicas = replicas;
    }

    /** Before the store is migrated and before the consumer joins its group. */
    void onStart(@Observes @Priority(1) StartupEvent ev) {
        String problem = problem(store, ownership, replicas);
        if (problem != null) {
            LOG.error(problem);
            throw new IllegalStateException(problem);
        }
    }

    /** Why this combination must not run, or null when it is safe. */
    static String problem(String store, String ownership, int replicas) {
        if (replicas < 1) {
            return "canary.replicas (CANARY_REPLICAS) must be at least 1, not " + replicas;
        }
        if (DatabaseConfigSource.H2.equals(store) && !"all".equals(ownership) && replicas > 1) {
            return "store=h2 with canary.analysis.ownership=" + ownership + " and CANARY_REPLICAS=" + replicas
                    + ": refusing to take partitions. The embedded H2 store is per pod: analyses stored by one replica"
                    + " are never run when their partition moves to another. Use PostgreSQL (CANARY_DB_URL="
                    + "jdbc:postgresql://...) for more than one replica, or run one replica (CANARY_REPLICAS=1)";
        }
        return null;
    }
}
