package io.canaryjudge.integrations;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import java.util.List;

/**
 * Where an analysis stands, in the terms every integration answers with.
 *
 * @param verdict  PENDING while measurements are being taken, then PROMOTE, ABORT or INCONCLUSIVE. An analysis
 *                 that ended without a verdict (cancelled, superseded, failed) is INCONCLUSIVE: it proved nothing,
 *                 so it neither promotes nor aborts and a person decides
 * @param score    final score 0-100, null while pending or when nothing could be scored
 * @param progress measurements taken so far and the interim verdict of the latest one
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record IntegrationOutcome(Standing verdict, Double score, String reason, String analysisId, String eventId, String phase,
                      Progress progress, List<MetricSummary> metrics) {
    public boolean pending() {
        return verdict == Standing.PENDING;
    }

    /** Measurements taken out of those planned, with the latest interim verdict and score. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Progress(int taken, int planned, Verdict interimVerdict, Double interimScore) {
    }

    /** One metric's classification and the sentence that explains it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MetricSummary(String name, Classification classification, Boolean critical, String explanation) {
    }
}
