package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.StoreJdbc.dbl;
import static io.canaryjudge.verdict.StoreJdbc.setDouble;
import static io.canaryjudge.verdict.StoreJdbc.setTime;
import static io.canaryjudge.verdict.StoreJdbc.time;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The {@code analysis} table as {@link AnalysisRecord}s: the column list every query selects, the row read by
 * position (no name look-ups) and the row an insert binds. One place, so the column order and the record's
 * component order cannot drift apart between reading and writing.
 */
final class AnalysisRows {
    static final String COLUMNS = "id, event_id, deployment_id, namespace, service, environment, template, "
            + "canary_digest, stable_digest, event_json, template_json, started_at, interval_ms, measurement_count, "
            + "phase, verdict, score, reason, verdict_json, created_at, updated_at, completed_at, published_at";

    /**
     * The history list never shows the frozen event, template or verdict document: leaving them in the table
     * keeps a page of rows small (and spares PostgreSQL detoasting them).
     */
    static final String SUMMARY_COLUMNS = COLUMNS.replace("event_json", "NULL AS event_json")
            .replace("template_json", "NULL AS template_json").replace("verdict_json", "NULL AS verdict_json");

    /** Every column of one analysis; the event's commit time goes to its own column for the DORA figures. */
    static final String INSERT = "INSERT INTO analysis (" + COLUMNS
            + ", commit_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    /** The analyses not yet ended. */
    static final String NOT_ENDED = "phase IN ('PENDING', 'RUNNING')";

    private AnalysisRows() {
    }

    /** One row of {@link #COLUMNS} (or {@link #SUMMARY_COLUMNS}, same order). */
    static AnalysisRecord read(ResultSet rs) throws SQLException {
        return new AnalysisRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                time(rs, 12), Duration.ofMillis(rs.getLong(13)), rs.getInt(14), Phase.valueOf(rs.getString(15)),
                StoreJdbc.verdict(rs, 16), dbl(rs, 17), rs.getString(18), rs.getString(19), time(rs, 20), time(rs, 21),
                time(rs, 22), time(rs, 23));
    }

    /** Binds the parameters of {@link #INSERT}. */
    static void bindInsert(PreparedStatement ps, AnalysisRecord a) throws SQLException {
        int i = 0;
        ps.setString(++i, a.id());
        ps.setString(++i, a.eventId());
        ps.setString(++i, a.deploymentId());
        ps.setString(++i, a.namespace());
        ps.setString(++i, a.service());
        ps.setString(++i, a.environment());
        ps.setString(++i, a.template());
        ps.setString(++i, a.canaryDigest());
        ps.setString(++i, a.stableDigest());
        ps.setString(++i, a.eventJson());
        ps.setString(++i, a.templateJson());
        setTime(ps, ++i, a.startedAt());
        ps.setLong(++i, a.interval().toMillis());
        ps.setInt(++i, a.measurementCount());
        ps.setString(++i, a.phase().name());
        ps.setString(++i, StoreJdbc.name(a.verdict()));
        setDouble(ps, ++i, a.score());
        ps.setString(++i, a.reason());
        ps.setString(++i, a.verdictJson());
        setTime(ps, ++i, a.createdAt());
        setTime(ps, ++i, a.updatedAt());
        setTime(ps, ++i, a.completedAt());
        setTime(ps, ++i, a.publishedAt());
        setTime(ps, ++i, CommitTimes.fromEventJson(a.eventJson()));
    }
}
