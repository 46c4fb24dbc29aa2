package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.COLUMNS;

import java.time.Instant;
import java.util.List;

/**
 * The store as an outbox for the two messages an ended analysis sends: its verdict and its CDEvent. Each has its own
 * acknowledgement column ({@code published_at}, {@code cdevent_published_at}), set when Kafka acknowledged it, so a
 * sweep re-sends exactly what was not acknowledged. An analysis is due when it has a verdict, or was CANCELLED with
 * its document.
 */
final class VerdictOutbox {
    private static final String ENDED_WITH_DOCUMENT = "(verdict IS NOT NULL OR (phase = 'CANCELLED' AND "
            + "verdict_json IS NOT NULL))";

    private final StoreJdbc jdbc;

    VerdictOutbox(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    List<AnalysisRecord> unpublished() {
        return jdbc.list("SELECT " + COLUMNS + " FROM analysis WHERE " + ENDED_WITH_DOCUMENT
                + " AND published_at IS NULL ORDER BY completed_at", AnalysisRows::read);
    }

    void markPublished(String id, Instant at) {
        jdbc.update("UPDATE analysis SET published_at = ? WHERE id = ? AND published_at IS NULL", at, id);
    }

    List<AnalysisRecord> cdEventsUnpublished(Instant since, int limit) {
        return jdbc.list("SELECT " + COLUMNS + " FROM analysis WHERE cdevent_published_at IS NULL AND completed_at >= ? "
                + "AND " + ENDED_WITH_DOCUMENT + " ORDER BY completed_at LIMIT " + Math.max(1, limit),
                AnalysisRows::read, since);
    }

    void markCdEventPublished(String id, Instant at) {
        jdbc.update("UPDATE analysis SET cdevent_published_at = ? WHERE id = ?", at, id);
    }
}
