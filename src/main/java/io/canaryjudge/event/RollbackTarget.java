package io.canaryjudge.event;

/** The workload a rollback acts on: kind (Deployment, Rollout, GitOps), name and container. */
public record RollbackTarget(String kind, String name, String container) {
}
