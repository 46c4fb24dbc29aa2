package io.canaryjudge.event;

import java.time.Instant;
import java.util.Objects;

/**
 * A validated "canary started" (or "canary cancelled") announcement, the one input of an analysis.
 *
 * @param id           idempotency key: the same id twice is one analysis
 * @param type         {@link EventType}
 * @param deploymentId the deploy tool's id of this rollout
 * @param environment  optional environment name (for DORA figures and GitOps overlays), may be null
 * @param commitTime   optional time of the commit being deployed (DORA lead time), may be null
 * @param image        optional image repository both digests belong to ({@code registry/path}, no tag or digest),
 *                     where their signatures are checked; may be null
 */
public record DeploymentEvent(
        String id,
        EventType type,
        String deploymentId,
        String namespace,
        String service,
        String template,
        Cohort canary,
        Cohort stable,
        RollbackTarget target,
        Instant startedAt,
        String environment,
        Instant commitTime,
        String image) {

    public DeploymentEvent {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(type, "type == null");
        Objects.requireNonNull(namespace, "namespace == null");
        Objects.requireNonNull(service, "service == null");
    }

    /** The same event without an image repository (events stored before the field existed read this way). */
    public DeploymentEvent(String id, EventType type, String deploymentId, String namespace, String service,
                           String template, Cohort canary, Cohort stable, RollbackTarget target, Instant startedAt,
                           String environment, Instant commitTime) {
        this(id, type, deploymentId, namespace, service, template, canary, stable, target, startedAt, environment,
            commitTime, null);
    }

    /** Kafka key and grouping key of every event and verdict of this service. */
    public String key() {
        return namespace + "/" + service;
    }
}
