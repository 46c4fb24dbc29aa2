package io.canaryjudge.rollback;

import static io.canaryjudge.rollback.Cluster.CANARY;
import static io.canaryjudge.rollback.Cluster.OLDER;
import static io.canaryjudge.rollback.Cluster.STABLE;
import static io.canaryjudge.rollback.Cluster.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.RollbackTarget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class DeploymentRollbackTest {
    KubernetesMockServer server;
    KubernetesClient client;
    Cluster cluster;
    DeploymentRollback strategy;

    @BeforeEach
    void setUp() {
        cluster = new Cluster(client);
        strategy = new DeploymentRollback(client, new ObjectMapper());
    }

    @Test
    void abortSetsTheContainerToTheImageOfTheRevisionBeforeTheCanary() {
        cluster.deployment("checkout", image(OLDER), image(STABLE), image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        assertEquals(image(STABLE), cluster.deploymentImage("checkout"));
        assertEquals(Cluster.REPO, o.artifact());
        assertTrue(o.detail().contains("revision 2"), o.detail());
        // the other container is left alone
        assertEquals("envoy@" + OLDER, client.apps().deployments().inNamespace(Cluster.NS).withName("checkout").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    }

    @Test
    void secondRunFindsTheStableDigestAndChangesNothing() {
        cluster.deployment("checkout", image(STABLE), image(CANARY));
        RollbackRequest r = Cluster.request("Deployment", "checkout", false);
        strategy.rollBack(r);
        String version = client.apps().deployments().inNamespace(Cluster.NS).withName("checkout").get()
                .getMetadata().getResourceVersion();

        RollbackOutcome again = strategy.rollBack(r);

        assertEquals(RollbackState.APPLIED, again.state());
        assertEquals("already at the stable digest, nothing changed", again.reason());
        assertEquals(version, client.apps().deployments().inNamespace(Cluster.NS).withName("checkout").get()
                .getMetadata().getResourceVersion());
    }

    @Test
    void dryRunReportsTheChangeAndLeavesTheImage() {
        cluster.deployment("checkout", image(STABLE), image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", true));

        assertEquals(RollbackState.DRY_RUN, o.state());
        assertTrue(o.detail().contains("-> " + image(STABLE)), o.detail());
        assertEquals(image(CANARY), cluster.deploymentImage("checkout"));
    }

    @Test
    void digestMismatchWithTheRevisionBeforeIsRefused() {
        // the stable digest ran once, but the revision before the canary ran another one
        cluster.deployment("checkout", image(STABLE), image(OLDER), image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("(revision 2) before the canary ran sha256:aaaaaaaaaaaa…, not the event's stable "
                + "digest sha256:bbbbbbbbbbbb…"), o.reason());
        assertEquals(image(CANARY), cluster.deploymentImage("checkout"));
    }

    @Test
    void stableDigestTheWorkloadNeverRanIsRefused() {
        cluster.deployment("checkout", image(OLDER), image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("never ran the event's stable digest sha256:bbbbbbbbbbbb…"), o.reason());
        assertTrue(o.reason().contains("refusing to deploy an image this workload has not run"), o.reason());
        assertEquals(image(CANARY), cluster.deploymentImage("checkout"));
    }

    @Test
    void firstRevisionHasNothingBeforeItAndIsRefused() {
        cluster.deployment("checkout", image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("has no ReplicaSet of a revision before the canary"), o.reason());
    }

    @Test
    void previousRevisionWithATagIsRefused() {
        cluster.deployment("checkout", Cluster.REPO + ":1.4.2", image(CANARY));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().endsWith("ran " + Cluster.REPO + ":1.4.2, a tag, not a digest: digests only, never tags"),
                o.reason());
    }

    @Test
    void runningTagIsRefusedBecauseItCannotBeTheJudgedCanary() {
        cluster.deployment("checkout", image(STABLE), Cluster.REPO + ":latest");

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("a tag, not a digest: cannot tell it is the canary"), o.reason());
    }

    @Test
    void newerDeploymentSinceTheCanaryIsLeftAlone() {
        cluster.deployment("checkout", image(STABLE), image(CANARY), image(OLDER));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("neither the canary sha256:cccccccccccc… nor the stable digest"), o.reason());
        assertEquals(image(OLDER), cluster.deploymentImage("checkout"));
    }

    @Test
    void unknownWorkloadIsRefused() {
        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "nope", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals("Deployment shop/nope not found", o.reason());
    }

    @Test
    void unknownContainerIsRefused() {
        cluster.deployment("checkout", image(STABLE), image(CANARY));
        RollbackRequest r = new RollbackRequest("a-1", Cluster.NS, "checkout", null,
                new RollbackTarget("Deployment", "checkout", "web"), CANARY, STABLE, false, null);

        RollbackOutcome o = strategy.rollBack(r);

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals("Deployment shop/checkout has no container 'web'", o.reason());
    }

    @Test
    void replicaSetsOfAnotherDeploymentDoNotCount() {
        cluster.deployment("checkout", image(CANARY));
        // same labels, but owned by another Deployment: not a revision of this one
        cluster.replicaSet("impostor", java.util.Map.of("app", "checkout"), "Deployment", "other", "uid-x",
                java.util.Map.of(DeploymentRollback.REVISION, "0"), image(STABLE));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Deployment", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals(image(CANARY), cluster.deploymentImage("checkout"));
    }
}
