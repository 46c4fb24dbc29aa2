package io.canaryjudge.verdict;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.event.RollbackTarget;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.supplychain.SignatureCheck;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The document that ends an analysis: stored in {@code analysis.verdict_json}, published as the data of the verdict
 * event (and of the cancelled event), read back by the REST view, the integrations and the rollback. Its JSON field
 * names are the published contract of docs/api.md; {@link VerdictCodec} is its only writer and reader.
 *
 * <p>Three kinds of document share it. A judged verdict has every field but the decision; a document that ends an
 * analysis without a judgement (cancelled, unreadable) has the head, the reason, the digests and the times, and no
 * {@code score}, {@code target}, {@code measurements} or {@code metrics}; a human decision adds {@code judgeVerdict}
 * and {@code decision} to the document it overrules. A null component is absent from the JSON except for the head
 * fields, {@code verdict} and {@code reason}, which are always written (null when unknown). {@code score} and
 * {@code target} are three-valued: null (absent: the document judges nothing), empty ({@code null} in the JSON: no
 * score, as in sequential mode; an event without target), or the value.
 *
 * @param version       the document's shape; documents written before it was stored read as version 1
 * @param mode          {@code sequential}, or null for a fixed-horizon verdict
 * @param fastMode      true when the sequential template runs in fast mode, else null
 * @param asymptotic    in fast mode: whether the e-processes were asymptotic
 * @param target        what a rollback would act on, as the event named it
 * @param image         the canary's image repository, when the event named it
 * @param signature     the canary's signature check before a PROMOTE, absent when signatures are off
 * @param measurements  how many measurements were stored
 * @param metrics       the per-metric results of the last measurement ({@link MeasurementDocument.Metric}), without
 *                      the raw values
 * @param judgeVerdict  the judge's verdict that a human decision overruled
 * @param decision      the human decision that set the verdict
 * @param other         fields this version does not model, kept as they were read so that a round trip loses none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"version", "analysisId", "eventId", "deploymentId", "namespace", "service", "environment",
    "template", "verdict", "phase", "mode", "fastMode", "asymptotic", "score", "reason", "canary", "stable", "target",
    "image", "signature", "startedAt", "completedAt", "measurements", "metrics", "judgeVerdict", "decision"})
public record VerdictDocument(
        Integer version,
        @JsonInclude(JsonInclude.Include.ALWAYS) String analysisId,
        @JsonInclude(JsonInclude.Include.ALWAYS) String eventId,
        @JsonInclude(JsonInclude.Include.ALWAYS) String deploymentId,
        @JsonInclude(JsonInclude.Include.ALWAYS) String namespace,
        @JsonInclude(JsonInclude.Include.ALWAYS) String service,
        @JsonInclude(JsonInclude.Include.ALWAYS) String environment,
        @JsonInclude(JsonInclude.Include.ALWAYS) String template,
        @JsonInclude(JsonInclude.Include.ALWAYS) Verdict verdict,
        Phase phase,
        String mode,
        Boolean fastMode,
        Boolean asymptotic,
        Optional<Double> score,
        @JsonInclude(JsonInclude.Include.ALWAYS) String reason,
        Digest canary,
        Digest stable,
        Optional<RollbackTarget> target,
        String image,
        SignatureCheck signature,
        Instant startedAt,
        Instant completedAt,
        Integer measurements,
        List<MeasurementDocument.Metric> metrics,
        Verdict judgeVerdict,
        Decision decision,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> other) {

    /** The version this code writes. */
    public static final int CURRENT_VERSION = 1;

    public VerdictDocument {
        other = other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
        metrics = metrics == null ? null : List.copyOf(metrics);
    }

    /** One cohort's image digest, and what a later version may add beside it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Digest(
            @JsonInclude(JsonInclude.Include.ALWAYS) String digest,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> other) {

        public Digest {
            other = other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
        }

        public Digest(String digest) {
            this(digest, Map.of());
        }
    }

    /** Who set the verdict by hand, when and why, and what a later version may add beside them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"action", "by", "at", "reason"})
    public record Decision(
            @JsonInclude(JsonInclude.Include.ALWAYS) String action,
            @JsonInclude(JsonInclude.Include.ALWAYS) String by,
            @JsonInclude(JsonInclude.Include.ALWAYS) Instant at,
            @JsonInclude(JsonInclude.Include.ALWAYS) String reason,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> other) {

        public Decision {
            other = other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
        }

        public Decision(String action, String by, Instant at, String reason) {
            this(action, by, at, reason, Map.of());
        }
    }

    /**
     * The document that ends an analysis without a judgement (cancelled, unreadable): which analysis, how it ended
     * and why, its digests and times.
     */
    public static VerdictDocument ended(AnalysisRecord a, Verdict verdict, Phase phase, String reason, Instant completedAt) {
        return new VerdictDocument(CURRENT_VERSION, a.id(), a.eventId(), a.deploymentId(), a.namespace(), a.service(),
                a.environment(), a.template(), verdict, phase, null, null, null, null, reason,
                new Digest(a.canaryDigest()), new Digest(a.stableDigest()), null, null, null, a.startedAt(), completedAt,
                null, null, null, null, Map.of());
    }

    /** This document with the verdict a person set, the judge's verdict it overrules and the decision. */
    public VerdictDocument decided(Verdict newVerdict, Phase newPhase, String newReason, Verdict overruled,
                                   Decision d) {
        return new VerdictDocument(CURRENT_VERSION, analysisId, eventId, deploymentId, namespace, service, environment,
                template, newVerdict, newPhase, mode, fastMode, asymptotic, score, newReason, canary, stable, target,
                image, signature, startedAt, completedAt, measurements, metrics,
                overruled != null ? overruled : judgeVerdict, d, other);
    }
}
