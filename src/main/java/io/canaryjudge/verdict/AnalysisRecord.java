package io.canaryjudge.verdict;

import java.time.Duration;
import java.time.Instant;

/** A stored analysis: identity, the frozen event and template, and its outcome once known. */
public record AnalysisRecord(
        String id,
        String eventId,
        String deploymentId,
        String namespace,
        String service,
        String environment,
        String template,
        String canaryDigest,
        String stableDigest,
        String eventJson,
        String templateJson,
        Instant startedAt,
        Duration interval,
        int measurementCount,
        Phase phase,
        String verdict,
        Double score,
        String reason,
        String verdictJson,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        Instant publishedAt) {

    public String key() {
        return namespace + "/" + service;
    }
}
