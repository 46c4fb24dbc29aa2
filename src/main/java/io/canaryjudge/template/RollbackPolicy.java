package io.canaryjudge.template;

/**
 * The optional {@code rollback:} section of a template: whether an ABORT rolls the workload back to the stable
 * digest, and whether only as a dry run. A null field means the service-wide default
 * ({@code canary.rollback.enabled}, {@code canary.rollback.dry-run}).
 */
public record RollbackPolicy(Boolean enabled, Boolean dryRun) {
}
