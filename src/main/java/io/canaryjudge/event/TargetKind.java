package io.canaryjudge.event;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What a deployment event names as its rollback target ({@code target.kind}), and how the wire spells it. */
public enum TargetKind {
    /** a Kubernetes Deployment: its container image is set back */
    DEPLOYMENT("Deployment"),
    /** an Argo Rollout: its pod template is set back and the rollout aborted */
    ROLLOUT("Rollout"),
    /** a file in the GitOps configuration repository: a commit sets the digest back */
    GITOPS("GitOps");

    private final String wireName;

    TargetKind(String wireName) {
        this.wireName = wireName;
    }

    /** As events, templates and rollback statuses write it. */
    public String wireName() {
        return wireName;
    }

    /** The kind a wire name spells, exactly. */
    public static Optional<TargetKind> fromWire(String text) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(text)).findFirst();
    }

    /** Every wire name, in declaration order. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(TargetKind::wireName).toList();
    }
}
