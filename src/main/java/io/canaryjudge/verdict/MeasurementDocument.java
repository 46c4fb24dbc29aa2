package io.canaryjudge.verdict;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one measurement: stored in {@code measurement.result_json}, served by the REST view (and drawn by the
 * web page), read by the integrations, and read back by the engine when an analysis resumes (its counters, its
 * sequential state, a final decision stored before the verdict). Its JSON field names are part of the contract of
 * docs/api.md; {@link MeasurementCodec} is its only writer and reader.
 *
 * <p>Fixed-horizon and sequential measurements share it. A fixed one has {@code score}, {@code groupScores} and
 * {@code counters}; a sequential one has {@code mode}, {@code action}, {@code counters} and {@code sequentialState},
 * and in fast mode {@code fastMode} and {@code asymptotic}. A null component is absent from the JSON, except
 * {@code reason}, which is always written; {@code score} is three-valued as in {@link VerdictDocument}: null (absent,
 * sequential mode), empty ({@code null} in the JSON: no finite score) or the value.
 *
 * @param version         the document's shape; documents written before it was stored read as version 1
 * @param seq             the measurement's number, 1-based
 * @param mode            {@code sequential}, or null for a fixed-horizon measurement
 * @param fastMode        true when the sequential template runs in fast mode, else null
 * @param asymptotic      in fast mode: whether the e-processes were asymptotic
 * @param windowStart     start of the data read (fixed: the cumulative window; sequential: the new interval)
 * @param windowEnd       end of the data read
 * @param step            the query resolution, as the template writes durations
 * @param verdict         the verdict of this measurement (the final one when {@code decision} is FINISH)
 * @param decision        what the analysis did next: CONTINUE, EXTEND or FINISH
 * @param phase           with FINISH: the phase the analysis ends in (absent in documents written before it was stored)
 * @param action          sequential mode: the decision of the e-processes at this look
 * @param metrics         the per-metric results
 * @param groupScores     fixed mode: the score of each metric group, as the scorer wrote them
 * @param counters        the lifecycle counters per metric (failures, inconclusives, errors) carried to the next one
 * @param sequentialState sequential mode: the e-process states the next measurement continues from, as written by the
 *                        sequential step
 * @param other           fields this version does not model, kept as they were read so that a round trip loses none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"version", "seq", "mode", "fastMode", "asymptotic", "windowStart", "windowEnd", "step", "verdict",
    "score", "reason", "decision", "phase", "action", "metrics", "groupScores", "counters", "sequentialState"})
public record MeasurementDocument(
        Integer version,
        Integer seq,
        String mode,
        Boolean fastMode,
        Boolean asymptotic,
        Instant windowStart,
        Instant windowEnd,
        String step,
        Verdict verdict,
        Optional<Double> score,
        @JsonInclude(JsonInclude.Include.ALWAYS) String reason,
        String decision,
        Phase phase,
        String action,
        List<Metric> metrics,
        JsonNode groupScores,
        JsonNode counters,
        JsonNode sequentialState,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> other) {

    /** The version this code writes. */
    public static final int CURRENT_VERSION = 1;

    /** The {@code decision} of the measurement that ends its analysis. */
    public static final String FINISH = "FINISH";

    public MeasurementDocument {
        other = other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
        metrics = metrics == null ? null : List.copyOf(metrics);
    }

    /** Whether this measurement ended its analysis (its verdict is the analysis' verdict). */
    @JsonIgnore
    public boolean finished() {
        return FINISH.equals(decision);
    }

    /**
     * One metric's result. The fields the readers use are typed; the rest (each cohort's queries, values and counts,
     * the judge's statistics, a sequential interval's counts, buckets and tests) depends on the mode and the metric
     * kind and stays as it was written, in its order.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "kind", "critical", "dryRun", "error", "classification", "explanation"})
    public record Metric(
            String name,
            String kind,
            Boolean critical,
            Boolean dryRun,
            String error,
            Classification classification,
            String explanation,
            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> detail) {

        public Metric {
            detail = detail == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(detail));
        }
    }
}
