package io.canaryjudge.integrations;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a deploy tool's call amounts to: a canary/stable pair of one service to analyse, under an id derived from
 * the tool's own identifiers so that every call about the same canary finds the same analysis.
 *
 * @param startedAt null: now, at the first call
 * @param target    kind and name of the workload to roll back, or null for none
 */
public record CanaryRequest(String eventId, String deploymentId, String namespace, String service, String template,
                            String canaryDigest, Map<String, String> canaryLabels, String stableDigest,
                            Map<String, String> stableLabels, String targetKind, String targetName, Instant startedAt,
                            String image) {
    /** A request without an image repository (its digests' signatures cannot be checked). */
    public CanaryRequest(String eventId, String deploymentId, String namespace, String service, String template,
                         String canaryDigest, Map<String, String> canaryLabels, String stableDigest,
                         Map<String, String> stableLabels, String targetKind, String targetName, Instant startedAt) {
        this(eventId, deploymentId, namespace, service, template, canaryDigest, canaryLabels, stableDigest,
            stableLabels, targetKind, targetName, startedAt, null);
    }

    public CanaryRequest {
        Objects.requireNonNull(eventId, "eventId == null");
        canaryLabels = canaryLabels == null ? Map.of() : Map.copyOf(canaryLabels);
        stableLabels = stableLabels == null ? Map.of() : Map.copyOf(stableLabels);
    }

    /** The same request under another event id (the next attempt at the same canary). */
    public CanaryRequest withEventId(String id) {
        return new CanaryRequest(id, deploymentId, namespace, service, template, canaryDigest, canaryLabels, stableDigest,
                stableLabels, targetKind, targetName, startedAt, image);
    }
}
