package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.canaryjudge.event.TargetKind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Rolls a Deployment back by setting the named container's image to {@code <repository>@<stable digest>}. The
 * image is the one of the ReplicaSet of the revision before the canary (owner reference + revision annotation),
 * so it is by construction an image this Deployment ran; it must carry the event's stable digest.
 */
@Singleton
final class DeploymentRollback implements Strategy {
    static final String REVISION = "deployment.kubernetes.io/revision";

    /** Built on first use: nothing reaches for a cluster unless a rollback runs. */
    private final Supplier<KubernetesClient> client;
    private final ObjectMapper json;

    @Inject
    DeploymentRollback(Instance<KubernetesClient> kubernetes, ObjectMapper json) {
        this(KubernetesChecks.once(kubernetes::get), json);
    }

    DeploymentRollback(KubernetesClient client, ObjectMapper json) {
        this(() -> client, json);
    }

    private DeploymentRollback(Supplier<KubernetesClient> client, ObjectMapper json) {
        this.client = client;
        this.json = json;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.DEPLOYMENT;
    }

    @Override
    public RollbackOutcome rollBack(RollbackRequest r) {
        String ns = r.namespace();
        Deployment d = client.get().apps().deployments().inNamespace(ns).withName(r.target().name()).get();
        if (d == null) {
            return RollbackOutcome.refused(r.workload() + " not found");
        }
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        int index = KubernetesChecks.containerIndex(containers.stream().map(Container::getName).toList(), r.target().container());
        if (index < 0) {
            return RollbackOutcome.refused(r.workload() + " has no container '" + r.target().container() + "'"
                    + (r.target().container() == null ? " (the event names none and there are several)" : ""));
        }
        String container = containers.get(index).getName();
        String currentImage = containers.get(index).getImage();
        Optional<RollbackOutcome> current = KubernetesChecks.checkCurrent(r, container, currentImage);
        if (current.isPresent()) {
            return current.get();
        }
        List<ReplicaSet> owned = ownedReplicaSets(ns, d);
        long currentRevision = revision(d) > 0 ? revision(d)
                : owned.stream().filter(rs -> currentImage.equals(image(rs, container))).mapToLong(DeploymentRollback::revision)
                .max().orElse(Long.MAX_VALUE);
        boolean ranStable = owned.stream().anyMatch(rs -> r.stableDigest().equals(Images.parse(image(rs, container)).digest()));
        ReplicaSet previous = owned.stream().filter(rs -> revision(rs) < currentRevision)
                .max(Comparator.comparingLong(DeploymentRollback::revision)).orElse(null);
        if (previous == null) {
            return RollbackOutcome.refused(r.workload() + " has no ReplicaSet of a revision before the canary (revision "
                    + currentRevision + "): " + (ranStable ? "" : "it never ran " + Images.shortly(r.stableDigest()) + "; ")
                    + "refusing to deploy an image this workload has not run");
        }
        String previousImage = image(previous, container);
        Images.Ref stable = Images.parse(previousImage);
        String rsName = "ReplicaSet " + previous.getMetadata().getName() + " (revision " + revision(previous) + ")";
        if (!stable.pinned()) {
            return RollbackOutcome.refused(rsName + " ran " + previousImage + ", a tag, not a digest: digests only, never tags");
        }
        if (!stable.digest().equals(r.stableDigest())) {
            return RollbackOutcome.refused(ranStable
                    ? rsName + " before the canary ran " + Images.shortly(stable.digest()) + ", not the event's stable digest "
                    + Images.shortly(r.stableDigest())
                    : r.workload() + " never ran the event's stable digest " + Images.shortly(r.stableDigest())
                    + " (revision before the canary ran " + Images.shortly(stable.digest())
                    + "): refusing to deploy an image this workload has not run");
        }
        String target = stable.withDigest(r.stableDigest());
        String detail = "container " + container + " image " + currentImage + " -> " + target + " (from " + rsName + ")";
        if (r.dryRun()) {
            return RollbackOutcome.dryRun(detail, stable.repository());
        }
        setImage(r, index, currentImage, target);
        return RollbackOutcome.applied("image set to the stable digest", detail, stable.repository());
    }

    /** The ReplicaSets of the Deployment, oldest revision first. */
    private List<ReplicaSet> ownedReplicaSets(String ns, Deployment d) {
        return client.get().apps().replicaSets().inNamespace(ns)
                .withLabelSelector(d.getSpec().getSelector()).list().getItems().stream()
                .filter(rs -> ownedBy(rs, d)).sorted(Comparator.comparingLong(DeploymentRollback::revision)).toList();
    }

    /**
     * The test operation makes the patch conditional: if anything changed the image since it was read, the API server
     * rejects the whole patch (422) and the retry reads and decides again.
     */
    private void setImage(RollbackRequest r, int index, String currentImage, String target) {
        String path = "/spec/template/spec/containers/" + index + "/image";
        ArrayNode patch = json.createArrayNode();
        patch.addObject().put("op", "test").put("path", path).put("value", currentImage);
        patch.addObject().put("op", "replace").put("path", path).put("value", target);
        client.get().apps().deployments().inNamespace(r.namespace()).withName(r.target().name())
                .patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    private static boolean ownedBy(ReplicaSet rs, Deployment d) {
        List<OwnerReference> owners = rs.getMetadata().getOwnerReferences();
        return owners != null && owners.stream().anyMatch(o -> "Deployment".equals(o.getKind())
                && d.getMetadata().getName().equals(o.getName())
                && (o.getUid() == null || d.getMetadata().getUid() == null || o.getUid().equals(d.getMetadata().getUid())));
    }

    private static String image(ReplicaSet rs, String container) {
        return rs.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .map(Container::getImage).findFirst().orElse("");
    }

    static long revision(HasMetadata o) {
        String v = o.getMetadata().getAnnotations() == null ? null : o.getMetadata().getAnnotations().get(REVISION);
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
