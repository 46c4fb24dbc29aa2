package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.OciPurl;
import io.canaryjudge.verdict.AnalysisRecord;
import java.time.Instant;

/**
 * The CDEvents {@code dev.cdevents.service.rolledback.0.3.0} body of a rollback outcome (CDEvents spec v0.5.1, the
 * release that defines that type version): context, subject (the service, its environment, the artifact rolled back
 * to as a package URL) and customData with our outcome. Every outcome is published — consumers read
 * {@code customData.outcome}; only APPLIED means the stable digest is back.
 */
final class RolledBackEvent {
    static final String TYPE = "dev.cdevents.service.rolledback.0.3.0";
    static final String SOURCE = "/canary-judge";
    /** {@code context.specversion}: the spec release whose schema {@link #TYPE} is. */
    static final String SPEC_VERSION = "0.5.1";

    private RolledBackEvent() {
    }

    static String id(String analysisId) {
        return "rollback-" + analysisId;
    }

    static ObjectNode json(ObjectMapper json, AnalysisRecord a, RollbackStatus s, String verdictUrl) {
        ObjectNode root = json.createObjectNode();
        Instant at = s.finishedAt() != null ? s.finishedAt() : s.claimedAt();
        ObjectNode context = root.putObject("context");
        context.put("specversion", SPEC_VERSION);
        context.put("id", id(a.id()));
        context.put("source", SOURCE);
        context.put("type", TYPE);
        context.put("timestamp", at.toString());
        ObjectNode subject = root.putObject("subject");
        subject.put("id", a.namespace() + "/" + a.service());
        subject.put("source", SOURCE);
        ObjectNode content = subject.putObject("content");
        ObjectNode environment = content.putObject("environment");
        environment.put("id", a.environment() != null ? a.environment() : a.namespace());
        environment.put("source", SOURCE);
        content.put("artifactId", artifactId(a, s));
        root.put("customDataContentType", "application/json");
        ObjectNode custom = root.putObject("customData");
        custom.put("analysisId", a.id());
        custom.put("deploymentId", a.deploymentId());
        custom.put("outcome", s.state().name());
        custom.put("reason", s.reason());
        custom.put("detail", s.detail());
        custom.put("strategy", s.strategy());
        custom.put("dryRun", s.dryRun());
        custom.put("canaryDigest", a.canaryDigest());
        custom.put("stableDigest", a.stableDigest());
        custom.put("verdictAt", s.verdictAt() == null ? null : s.verdictAt().toString());
        custom.put("finishedAt", s.finishedAt() == null ? null : s.finishedAt().toString());
        s.timeToRestore().ifPresentOrElse(d -> custom.put("timeToRestoreSeconds", d.toMillis() / 1000.0),
                () -> custom.putNull("timeToRestoreSeconds"));
        custom.put("verdictUrl", verdictUrl);
        return root;
    }

    /**
     * {@code pkg:oci/<name>@sha256%3A<hex>}, the digest's colon percent-encoded as the purl spec's OCI type and the
     * CDEvents spec write it, with the full repository as {@code repository_url} when it is known.
     */
    static String artifactId(AnalysisRecord a, RollbackStatus s) {
        String repository = s.artifact() == null ? a.service() : Images.parse(s.artifact()).repository();
        return OciPurl.of(repository, a.stableDigest()).toString();
    }
}
