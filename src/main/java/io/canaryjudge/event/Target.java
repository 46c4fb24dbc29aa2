package io.canaryjudge.event;

/** The workload a rollback acts on: kind (Deployment, Rollout, GitOps), name and container. */
public record Target(String kind, String name, String container) {
}
