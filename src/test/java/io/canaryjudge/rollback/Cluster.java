package io.canaryjudge.rollback;

import io.canaryjudge.event.RollbackTarget;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.UUID;

/** KubernetesChecks as the Kubernetes controllers leave them, written to the mock API server (CRUD mode). */
final class Cluster {
    static final String NS = "shop";
    static final String REPO = "registry.example.com/shop/checkout";
    static final String CANARY = "sha256:" + "c".repeat(64);
    static final String STABLE = "sha256:" + "b".repeat(64);
    static final String OLDER = "sha256:" + "a".repeat(64);

    private final KubernetesClient client;

    Cluster(KubernetesClient client) {
        this.client = client;
    }

    static String image(String digest) {
        return REPO + "@" + digest;
    }

    static RollbackRequest request(String kind, String name, boolean dryRun) {
        return new RollbackRequest("a-" + UUID.randomUUID(), NS, "checkout", "prod", new RollbackTarget(kind, name, "app"),
                CANARY, STABLE, dryRun, null);
    }

    /** A Deployment at {@code revision} running {@code images[revision-1]}, with one ReplicaSet per revision. */
    Deployment deployment(String name, String... images) {
        String uid = UUID.randomUUID().toString();
        Deployment d = client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).withUid(uid)
                .withAnnotations(Map.of(DeploymentRollback.REVISION, String.valueOf(images.length))).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("sidecar").withImage("envoy@" + OLDER).endContainer()
                .addNewContainer().withName("app").withImage(images[images.length - 1]).endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        uid = d.getMetadata().getUid();   // the API server assigns its own
        for (int i = 0; i < images.length; i++) {
            replicaSet(name + "-rs" + (i + 1), Map.of("app", name, "pod-template-hash", "h" + (i + 1)), "Deployment",
                    name, uid, Map.of(DeploymentRollback.REVISION, String.valueOf(i + 1)), images[i]);
        }
        return d;
    }

    ReplicaSet replicaSet(String name, Map<String, String> labels, String ownerKind, String owner, String uid,
                          Map<String, String> annotations, String image) {
        return client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                .withNewMetadata().withName(name).withLabels(labels).withAnnotations(annotations)
                .addNewOwnerReference().withApiVersion("apps/v1").withKind(ownerKind).withName(owner).withUid(uid)
                .withController(true).endOwnerReference().endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("sidecar").withImage("envoy@" + OLDER).endContainer()
                .addNewContainer().withName("app").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    String deploymentImage(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get().getSpec().getTemplate().getSpec()
                .getContainers().get(1).getImage();
    }
}
