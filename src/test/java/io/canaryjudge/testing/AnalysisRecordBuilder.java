package io.canaryjudge.testing;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Builds an {@link AnalysisRecord} for a test: a PENDING analysis of shop/checkout with a fresh id, empty frozen
 * documents and two valid digests unless told otherwise, so a test names only the components it is about instead of
 * calling the record's 23-argument constructor. Every setter sets exactly one component, except {@link #created}
 * and {@link #ended}, which say what they set.
 */
public final class AnalysisRecordBuilder {
    /** The default start; creation defaults to a minute later. */
    public static final Instant STARTED = Instant.parse("2026-11-26T01:00:00Z");
    public static final String CANARY = "sha256:" + "c".repeat(64);
    public static final String STABLE = "sha256:" + "b".repeat(64);

    private String id = UUID.randomUUID().toString();
    private String eventId;
    private String deploymentId = "dep-1";
    private String namespace = "shop";
    private String service = "checkout";
    private String environment;
    private String template = "http-golden-signals";
    private String canaryDigest = CANARY;
    private String stableDigest = STABLE;
    private String eventJson = "{}";
    private String templateJson = "{}";
    private Instant startedAt = STARTED;
    private Duration interval = Duration.ofMinutes(1);
    private int measurementCount = 10;
    private Phase phase = Phase.PENDING;
    private Verdict verdict;
    private Double score;
    private String reason;
    private String verdictJson;
    private Instant createdAt = STARTED.plusSeconds(60);
    private Instant updatedAt = STARTED.plusSeconds(60);
    private Instant completedAt;
    private Instant publishedAt;

    private AnalysisRecordBuilder() {
    }

    /** A new builder with the defaults above; the event id defaults to {@code "evt-" + id}. */
    public static AnalysisRecordBuilder analysis() {
        return new AnalysisRecordBuilder();
    }

    /** A new builder holding every component of {@code a}: change a few, keep the rest. */
    public static AnalysisRecordBuilder from(AnalysisRecord a) {
        AnalysisRecordBuilder b = new AnalysisRecordBuilder();
        b.id = a.id();
        b.eventId = a.eventId();
        b.deploymentId = a.deploymentId();
        b.namespace = a.namespace();
        b.service = a.service();
        b.environment = a.environment();
        b.template = a.template();
        b.canaryDigest = a.canaryDigest();
        b.stableDigest = a.stableDigest();
        b.eventJson = a.eventJson();
        b.templateJson = a.templateJson();
        b.startedAt = a.startedAt();
        b.interval = a.interval();
        b.measurementCount = a.measurementCount();
        b.phase = a.phase();
        b.verdict = a.verdict();
        b.score = a.score();
        b.reason = a.reason();
        b.verdictJson = a.verdictJson();
        b.createdAt = a.createdAt();
        b.updatedAt = a.updatedAt();
        b.completedAt = a.completedAt();
        b.publishedAt = a.publishedAt();
        return b;
    }

    public AnalysisRecord build() {
        return new AnalysisRecord(id, eventId == null ? "evt-" + id : eventId, deploymentId, namespace, service,
                environment, template, canaryDigest, stableDigest, eventJson, templateJson, startedAt, interval,
                measurementCount, phase, verdict, score, reason, verdictJson, createdAt, updatedAt, completedAt,
                publishedAt);
    }

    /** Sets both createdAt and updatedAt (an analysis nothing has changed since it was stored). */
    public AnalysisRecordBuilder created(Instant at) {
        this.createdAt = at;
        this.updatedAt = at;
        return this;
    }

    /**
     * Ended with {@code verdict} at {@code at}: sets verdict, phase ({@link Phase#of}) and completedAt; publication
     * and the other components are left as they are.
     */
    public AnalysisRecordBuilder ended(String verdict, Instant at) {
        return ended(Verdict.valueOf(verdict), at);
    }

    /** Ended with {@code verdict} at {@code at}, as {@link #ended(String, Instant)}. */
    public AnalysisRecordBuilder ended(Verdict verdict, Instant at) {
        this.verdict = verdict;
        this.phase = Phase.of(verdict);
        this.completedAt = at;
        return this;
    }

    public AnalysisRecordBuilder id(String id) {
        this.id = id;
        return this;
    }

    public AnalysisRecordBuilder eventId(String eventId) {
        this.eventId = eventId;
        return this;
    }

    public AnalysisRecordBuilder deploymentId(String deploymentId) {
        this.deploymentId = deploymentId;
        return this;
    }

    public AnalysisRecordBuilder namespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    public AnalysisRecordBuilder service(String service) {
        this.service = service;
        return this;
    }

    public AnalysisRecordBuilder environment(String environment) {
        this.environment = environment;
        return this;
    }

    public AnalysisRecordBuilder template(String template) {
        this.template = template;
        return this;
    }

    public AnalysisRecordBuilder canaryDigest(String canaryDigest) {
        this.canaryDigest = canaryDigest;
        return this;
    }

    public AnalysisRecordBuilder stableDigest(String stableDigest) {
        this.stableDigest = stableDigest;
        return this;
    }

    public AnalysisRecordBuilder eventJson(String eventJson) {
        this.eventJson = eventJson;
        return this;
    }

    public AnalysisRecordBuilder templateJson(String templateJson) {
        this.templateJson = templateJson;
        return this;
    }

    public AnalysisRecordBuilder startedAt(Instant startedAt) {
        this.startedAt = startedAt;
        return this;
    }

    public AnalysisRecordBuilder interval(Duration interval) {
        this.interval = interval;
        return this;
    }

    public AnalysisRecordBuilder measurementCount(int measurementCount) {
        this.measurementCount = measurementCount;
        return this;
    }

    public AnalysisRecordBuilder phase(Phase phase) {
        this.phase = phase;
        return this;
    }

    public AnalysisRecordBuilder verdict(Verdict verdict) {
        this.verdict = verdict;
        return this;
    }

    /** The verdict by its stored name (null for none), for tests that read it from a document or a table. */
    public AnalysisRecordBuilder verdict(String name) {
        return verdict(name == null ? null : Verdict.valueOf(name));
    }

    public AnalysisRecordBuilder score(Double score) {
        this.score = score;
        return this;
    }

    public AnalysisRecordBuilder reason(String reason) {
        this.reason = reason;
        return this;
    }

    public AnalysisRecordBuilder verdictJson(String verdictJson) {
        this.verdictJson = verdictJson;
        return this;
    }

    public AnalysisRecordBuilder createdAt(Instant createdAt) {
        this.createdAt = createdAt;
        return this;
    }

    public AnalysisRecordBuilder updatedAt(Instant updatedAt) {
        this.updatedAt = updatedAt;
        return this;
    }

    public AnalysisRecordBuilder completedAt(Instant completedAt) {
        this.completedAt = completedAt;
        return this;
    }

    public AnalysisRecordBuilder publishedAt(Instant publishedAt) {
        this.publishedAt = publishedAt;
        return this;
    }
}
