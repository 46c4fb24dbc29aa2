package io.canaryjudge.verdict;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The start-up rule: partition ownership on the per-pod H2 store only with one replica. */
class StoreReplicasTest {

    @Test
    void h2WithPartitionOwnershipAndSeveralReplicasIsRefused() {
        String problem = StoreReplicas.problem("h2", "partition", 2);
        assertTrue(problem.startsWith("store=h2 with canary.analysis.ownership=partition and CANARY_REPLICAS=2: "
                + "refusing to take partitions"), problem);
        assertTrue(problem.contains("Use PostgreSQL"), problem);
    }

    @Test
    void oneReplicaOnH2PostgresWithAnyCountAndTheSidecarsOwnershipAllAreSafe() {
        assertNull(StoreReplicas.problem("h2", "partition", 1));
        assertNull(StoreReplicas.problem("pg", "partition", 3));
        assertNull(StoreReplicas.problem("h2", "all", 3));
    }

    @Test
    void aReplicaCountBelowOneIsAConfigurationError() {
        assertTrue(StoreReplicas.problem("pg", "partition", 0).startsWith("canary.replicas (CANARY_REPLICAS) must be"));
    }
}
