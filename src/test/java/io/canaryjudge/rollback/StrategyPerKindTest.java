package io.canaryjudge.rollback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.TargetKind;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * RollbackService takes the strategies CDI finds and insists on exactly one per target kind, before any event: a
 * missing or doubled strategy stops the start, with the kind named. Building a Kubernetes strategy does not build
 * the client.
 */
class StrategyPerKindTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Strategy gitops() {
        return new GitOpsRollback(Configs.rollback(Map.of()).gitops(), new Retry(0, Duration.ZERO), Clock.systemUTC());
    }

    @Test
    void oneStrategyForEachKindIsIndexedByItsKind() {
        Strategy deployment = new DeploymentRollback((KubernetesClient) null, JSON);
        Strategy rollout = new ArgoRolloutRollback((KubernetesClient) null, JSON);
        Strategy gitops = gitops();

        Map<TargetKind, Strategy> byKind = RollbackService.oneForEachKind(List.of(gitops, rollout, deployment));

        assertEquals(List.of(TargetKind.values()), List.copyOf(byKind.keySet()));
        assertSame(deployment, byKind.get(TargetKind.DEPLOYMENT));
        assertSame(rollout, byKind.get(TargetKind.ROLLOUT));
        assertSame(gitops, byKind.get(TargetKind.GITOPS));
    }

    @Test
    void aKindWithoutAStrategyStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RollbackService.oneForEachKind(
                List.of(new DeploymentRollback((KubernetesClient) null, JSON))));
        assertEquals("no rollback strategy for target kind(s) [Rollout, GitOps]", e.getMessage());
    }

    @Test
    void aKindWithTwoStrategiesStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RollbackService.oneForEachKind(
                List.of(gitops(), new DeploymentRollback((KubernetesClient) null, JSON), gitops())));
        assertEquals("two rollback strategies for target kind GitOps: GitOpsRollback and GitOpsRollback",
                e.getMessage());
    }

    @Test
    void theKubernetesClientIsAskedForOnFirstUseAndThenKept() {
        AtomicInteger built = new AtomicInteger();
        var client = KubernetesChecks.once(() -> "client " + built.incrementAndGet());
        assertEquals(0, built.get());
        assertEquals("client 1", client.get());
        assertEquals("client 1", client.get());
        assertEquals(1, built.get());
    }
}
