package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import java.time.Instant;

/** One stored measurement: the window it covers, when it was taken, and the judged result as JSON. */
public record MeasurementRecord(
        String analysisId,
        int seq,
        Instant windowStart,
        Instant windowEnd,
        Instant takenAt,
        Verdict verdict,
        Double score,
        String resultJson) {
}
