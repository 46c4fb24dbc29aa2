package io.canaryjudge.rollback;

import static io.canaryjudge.rollback.Cluster.CANARY;
import static io.canaryjudge.rollback.Cluster.NS;
import static io.canaryjudge.rollback.Cluster.OLDER;
import static io.canaryjudge.rollback.Cluster.STABLE;
import static io.canaryjudge.rollback.Cluster.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ArgoRolloutRollbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    KubernetesMockServer server;
    KubernetesClient client;
    ArgoRolloutRollback strategy;

    @BeforeEach
    void setUp() {
        strategy = new ArgoRolloutRollback(client, JSON);
    }

    @Test
    void abortMovesTrafficAndReplacesTheSpecTemplateWithTheStableReplicaSets() {
        rollout("checkout", image(CANARY), image(STABLE));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        JsonNode ro = JSON.valueToTree(rollout("checkout"));
        assertTrue(ro.path("status").path("abort").asBoolean(), ro.toPrettyString());
        JsonNode template = ro.path("spec").path("template");
        assertEquals(image(STABLE), template.path("spec").path("containers").get(0).path("image").asText());
        // the whole stable template comes back, not only the image (as kubectl argo rollouts undo)
        assertEquals("256Mi", template.path("spec").path("containers").get(0).path("resources").path("limits")
                .path("memory").asText(), template.toPrettyString());
        assertTrue(template.path("metadata").path("labels").has("app"));
        assertFalse(template.path("metadata").path("labels").has(ArgoRolloutRollback.HASH_LABEL), template.toString());
        assertEquals("stable1", ro.path("status").path("stableRS").asText(), "status otherwise untouched");
    }

    @Test
    void secondRunFindsTheStableTemplateAndChangesNothing() {
        rollout("checkout", image(CANARY), image(STABLE));
        RollbackRequest r = Cluster.request("Rollout", "checkout", false);
        strategy.rollBack(r);
        String version = rollout("checkout").getMetadata().getResourceVersion();

        RollbackOutcome again = strategy.rollBack(r);

        assertEquals(RollbackState.APPLIED, again.state());
        assertEquals("already at the stable digest, nothing changed", again.reason());
        assertEquals(version, rollout("checkout").getMetadata().getResourceVersion());
    }

    @Test
    void dryRunChangesNeitherTrafficNorTemplate() {
        rollout("checkout", image(CANARY), image(STABLE));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", true));

        assertEquals(RollbackState.DRY_RUN, o.state());
        JsonNode ro = JSON.valueToTree(rollout("checkout"));
        assertTrue(ro.path("status").path("abort").isMissingNode());
        assertEquals(image(CANARY), ro.path("spec").path("template").path("spec").path("containers").get(0)
                .path("image").asText());
    }

    @Test
    void stableReplicaSetWithAnotherDigestIsRefused() {
        rollout("checkout", image(CANARY), image(OLDER));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals("stable ReplicaSet checkout-stable1 runs sha256:aaaaaaaaaaaa…, not the event's stable digest "
                + "sha256:bbbbbbbbbbbb… (which this workload never ran)", o.reason());
        assertNull(JSON.valueToTree(rollout("checkout")).path("status").get("abort"), "no traffic change either");
    }

    @Test
    void stableReplicaSetWithATagIsRefused() {
        rollout("checkout", image(CANARY), Cluster.REPO + ":1.4.2");

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().endsWith("a tag, not a digest: digests only, never tags"), o.reason());
    }

    @Test
    void missingStableReplicaSetMeansTheDigestNeverRanAndIsRefused() {
        rollout("checkout", image(CANARY), image(STABLE));
        client.apps().replicaSets().inNamespace(NS).withName("checkout-stable1").delete();

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("has no ReplicaSet with rollouts-pod-template-hash=stable1"), o.reason());
        assertTrue(o.reason().contains("it never ran sha256:bbbbbbbbbbbb…"), o.reason());
    }

    @Test
    void unknownRolloutIsRefused() {
        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "nope", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals("Rollout shop/nope not found", o.reason());
    }

    @Test
    void newerRolloutSinceTheCanaryIsLeftAlone() {
        rollout("checkout", image(OLDER), image(STABLE));

        RollbackOutcome o = strategy.rollBack(Cluster.request("Rollout", "checkout", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("a newer deployment happened"), o.reason());
    }

    /**
     * An Argo Rollout mid-canary: spec.template runs {@code current}, status.stableRS names the ReplicaSet that
     * runs {@code stable}, and a canary ReplicaSet runs {@code current}.
     */
    private GenericKubernetesResource rollout(String name, String current, String stable) {
        String uid = UUID.randomUUID().toString();
        Map<String, Object> template = Map.of(
                "metadata", Map.of("labels", Map.of("app", name)),
                "spec", Map.of("containers", List.of(Map.of("name", "app", "image", current))));
        GenericKubernetesResource ro = new GenericKubernetesResourceBuilder()
                .withApiVersion("argoproj.io/v1alpha1").withKind("Rollout")
                .withNewMetadata().withName(name).withNamespace(NS).withUid(uid).endMetadata()
                .withAdditionalProperties(Map.of(
                        "spec", Map.of("selector", Map.of("matchLabels", Map.of("app", name)), "template", template),
                        "status", Map.of("stableRS", "stable1", "currentPodHash", "canary1")))
                .build();
        GenericKubernetesResource created = client.genericKubernetesResources(ArgoRolloutRollback.ROLLOUTS)
                .inNamespace(NS).resource(ro).create();
        uid = created.getMetadata().getUid();
        rolloutReplicaSet(name, uid, "stable1", stable);
        rolloutReplicaSet(name, uid, "canary1", current);
        return created;
    }

    private void rolloutReplicaSet(String rollout, String uid, String hash, String image) {
        client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName(rollout + "-" + hash)
                .withLabels(Map.of("app", rollout, ArgoRolloutRollback.HASH_LABEL, hash))
                .addNewOwnerReference().withApiVersion("argoproj.io/v1alpha1").withKind("Rollout").withName(rollout)
                .withUid(uid).withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", rollout, ArgoRolloutRollback.HASH_LABEL, hash))
                .endSelector().withNewTemplate().withNewMetadata()
                .withLabels(Map.of("app", rollout, ArgoRolloutRollback.HASH_LABEL, hash)).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).withNewResources()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi")).endResources()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private GenericKubernetesResource rollout(String name) {
        return client.genericKubernetesResources(ArgoRolloutRollback.ROLLOUTS).inNamespace(NS).withName(name).get();
    }
}
