package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
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
        Verdict verdict,
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

    /** This analysis with the store's current phase and planned measurement count (extensions included). */
    public AnalysisRecord withProgress(AnalysisStore.Progress p) {
        return new AnalysisRecord(id, eventId, deploymentId, namespace, service, environment, template, canaryDigest,
                stableDigest, eventJson, templateJson, startedAt, interval, p.measurementCount(), p.phase(), verdict,
                score, reason, verdictJson, createdAt, updatedAt, completedAt, publishedAt);
    }

    /**
     * This analysis without its frozen documents (event, template, verdict): what a running analysis keeps once it has
     * parsed them, so the text is not held twice.
     */
    public AnalysisRecord withoutDocuments() {
        return new AnalysisRecord(id, eventId, deploymentId, namespace, service, environment, template, canaryDigest,
                stableDigest, null, null, startedAt, interval, measurementCount, phase, verdict, score, reason, null,
                createdAt, updatedAt, completedAt, publishedAt);
    }
}
