package io.canaryjudge.verdict;

import java.time.Instant;

/** One stored measurement: the window it covers, when it was taken, and the judged result as JSON. */
public record MeasurementRecord(
        String analysisId,
        int seq,
        Instant windowStart,
        Instant windowEnd,
        Instant takenAt,
        String verdict,
        Double score,
        String resultJson) {
}
