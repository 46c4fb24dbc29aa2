package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.TargetKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Rolls an Argo Rollout back for real. Argo's own abort ({@code status.abort: true}) only moves traffic back and
 * leaves the bad image in {@code spec.template}, which then fights GitOps sync (argo-rollouts#3578). So, as
 * {@code kubectl argo rollouts undo} does, the spec's pod template is replaced by the template of the stable
 * ReplicaSet ({@code status.stableRS} is its {@code rollouts-pod-template-hash} label) — after aborting first,
 * so traffic is back at once.
 */
@Singleton
final class ArgoRolloutRollback implements Strategy {
    static final ResourceDefinitionContext ROLLOUTS = new ResourceDefinitionContext.Builder()
            .withGroup("argoproj.io").withVersion("v1alpha1").withKind("Rollout").withPlural("rollouts")
            .withNamespaced(true).build();
    static final String HASH_LABEL = "rollouts-pod-template-hash";

    /** Built on first use: nothing reaches for a cluster unless a rollback runs. */
    private final Supplier<KubernetesClient> client;
    private final ObjectMapper json;

    @Inject
    ArgoRolloutRollback(Instance<KubernetesClient> kubernetes, ObjectMapper json) {
        this(KubernetesChecks.once(kubernetes::get), json);
    }

    ArgoRolloutRollback(KubernetesClient client, ObjectMapper json) {
        this(() -> client, json);
    }

    private ArgoRolloutRollback(Supplier<KubernetesClient> client, ObjectMapper json) {
        this.client = client;
        this.json = json;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.ROLLOUT;
    }

    @Override
    public RollbackOutcome rollBack(RollbackRequest r) {
        Resource<GenericKubernetesResource> resource = rollouts().inNamespace(r.namespace()).withName(r.target().name());
        GenericKubernetesResource rollout = resource.get();
        if (rollout == null) {
            return RollbackOutcome.refused(r.workload() + " not found");
        }
        JsonNode ro = json.valueToTree(rollout);
        JsonNode containers = ro.path("spec").path("template").path("spec").path("containers");
        List<String> names = new ArrayList<>();
        containers.forEach(c -> names.add(c.path("name").asText()));
        int index = KubernetesChecks.containerIndex(names, r.target().container());
        if (index < 0) {
            return RollbackOutcome.refused(r.workload() + " has no container '" + r.target().container() + "'");
        }
        String container = names.get(index);
        String currentImage = containers.get(index).path("image").asText();
        Optional<RollbackOutcome> current = KubernetesChecks.checkCurrent(r, container, currentImage);
        if (current.isPresent()) {
            return current.get();
        }
        String stableHash = ro.path("status").path("stableRS").asText("");
        if (stableHash.isEmpty()) {
            return RollbackOutcome.refused(r.workload() + " has no status.stableRS: it never completed a rollout, there is "
                    + "nothing it ran before to go back to");
        }
        List<ReplicaSet> owned = ownedReplicaSets(r);
        ReplicaSet stableRs = owned.stream().filter(rs -> rs.getMetadata().getLabels() != null
                && stableHash.equals(rs.getMetadata().getLabels().get(HASH_LABEL))).findFirst().orElse(null);
        boolean ranStable = owned.stream().anyMatch(rs -> r.stableDigest().equals(Images.parse(image(rs, container)).digest()));
        if (stableRs == null) {
            return RollbackOutcome.refused(r.workload() + " has no ReplicaSet with " + HASH_LABEL + "=" + stableHash
                    + " (status.stableRS)" + (ranStable ? "" : "; it never ran " + Images.shortly(r.stableDigest()))
                    + ": refusing to deploy an image this workload has not run");
        }
        String stableImage = image(stableRs, container);
        Images.Ref stable = Images.parse(stableImage);
        String rsName = "stable ReplicaSet " + stableRs.getMetadata().getName();
        if (!stable.pinned()) {
            return RollbackOutcome.refused(rsName + " runs " + stableImage + ", a tag, not a digest: digests only, never tags");
        }
        if (!stable.digest().equals(r.stableDigest())) {
            return RollbackOutcome.refused(rsName + " runs " + Images.shortly(stable.digest())
                    + ", not the event's stable digest " + Images.shortly(r.stableDigest())
                    + (ranStable ? "" : " (which this workload never ran)"));
        }
        String detail = "status.abort=true; spec.template <- template of " + rsName + " (container " + container + " "
                + currentImage + " -> " + stableImage + ")";
        if (r.dryRun()) {
            return RollbackOutcome.dryRun(detail, stable.repository());
        }
        abortAndSetTemplate(resource, index, currentImage, podTemplate(stableRs));
        return RollbackOutcome.applied("aborted and spec.template set to the stable ReplicaSet's", detail, stable.repository());
    }

    /** The ReplicaSets the Rollout owns. */
    private List<ReplicaSet> ownedReplicaSets(RollbackRequest r) {
        return client.get().apps().replicaSets().inNamespace(r.namespace()).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences() != null && rs.getMetadata().getOwnerReferences()
                        .stream().anyMatch(o -> "Rollout".equals(o.getKind()) && r.target().name().equals(o.getName())))
                .toList();
    }

    /** The stable ReplicaSet's pod template, without the hash label Argo adds to each ReplicaSet. */
    private ObjectNode podTemplate(ReplicaSet stableRs) {
        ObjectNode template = json.valueToTree(stableRs.getSpec().getTemplate());
        if (template.path("metadata").path("labels") instanceof ObjectNode labels) {
            labels.remove(HASH_LABEL);   // the Rollout's template must not carry it
        }
        return template;
    }

    /**
     * Traffic first: the abort is what Argo itself does, and it takes effect at once. Then the template, on condition
     * (the test operation) that the container still runs the image read: otherwise the API server rejects the patch
     * and the retry reads and decides again.
     */
    private void abortAndSetTemplate(Resource<GenericKubernetesResource> resource, int index, String currentImage,
                                     ObjectNode template) {
        resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"abort\":true}}");
        String path = "/spec/template/spec/containers/" + index + "/image";
        ArrayNode patch = json.createArrayNode();
        patch.addObject().put("op", "test").put("path", path).put("value", currentImage);
        patch.addObject().put("op", "replace").put("path", "/spec/template").set("value", template);
        resource.patch(PatchContext.of(PatchType.JSON), patch.toString());
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> rollouts() {
        return client.get().genericKubernetesResources(ROLLOUTS);
    }

    private static String image(ReplicaSet rs, String container) {
        return rs.getSpec().getTemplate().getSpec().getContainers().stream().filter(c -> container.equals(c.getName()))
                .map(c -> c.getImage()).findFirst().orElse("");
    }
}
