package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.COLUMNS;
import static io.canaryjudge.verdict.AnalysisRows.NOT_ENDED;

import java.util.List;
import java.util.Optional;

/** Reads of single analyses and of the analyses not yet ended, which the engine's sweep and the API ask for. */
final class AnalysisReads {
    private static final String SELECT = "SELECT " + COLUMNS + " FROM analysis WHERE ";

    private final StoreJdbc jdbc;

    AnalysisReads(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    Optional<AnalysisRecord> find(String id) {
        return jdbc.first(SELECT + "id = ?", AnalysisRows::read, id);
    }

    Optional<AnalysisRecord> findByEventId(String eventId) {
        return jdbc.first(SELECT + "event_id = ?", AnalysisRows::read, eventId);
    }

    List<AnalysisRecord> running() {
        return jdbc.list(SELECT + NOT_ENDED + " ORDER BY created_at", AnalysisRows::read);
    }

    List<AnalysisRecord> running(String namespace, String service) {
        return jdbc.list(SELECT + NOT_ENDED + " AND namespace = ? AND service = ?", AnalysisRows::read, namespace,
                service);
    }

    List<AnalysisStore.RunningRef> runningRefs() {
        return jdbc.list("SELECT id, namespace, service FROM analysis WHERE " + NOT_ENDED + " ORDER BY created_at",
                rs -> new AnalysisStore.RunningRef(rs.getString(1), rs.getString(2) + "/" + rs.getString(3)));
    }

    Optional<AnalysisStore.Progress> progress(String id) {
        return jdbc.first("SELECT phase, measurement_count, extensions FROM analysis WHERE id = ?",
                rs -> new AnalysisStore.Progress(Phase.valueOf(rs.getString(1)), rs.getInt(2), rs.getInt(3)), id);
    }

    /** The measurements added to the analysis's plan so far (0 when it is not stored). */
    int extensions(String id) {
        return jdbc.first("SELECT extensions FROM analysis WHERE id = ?", rs -> rs.getInt(1), id).orElse(0);
    }
}
