package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.NOT_ENDED;
import static io.canaryjudge.verdict.StoreJdbc.setDouble;
import static io.canaryjudge.verdict.StoreJdbc.setTime;

import io.canaryjudge.Redaction;
import io.canaryjudge.judge.Verdict;
import java.sql.PreparedStatement;
import io.canaryjudge.judge.Verdict;
import java.sql.SQLException;
import io.canaryjudge.judge.Verdict;
import java.time.Instant;

/**
 * The changes of a running analysis: PENDING to RUNNING, an extension of its plan, and its end with a verdict. Each
 * is one conditional statement, so an analysis ends once even when two callers race, and a fenced write (one
 * naming a lease) is refused once another replica has claimed the analysis.
 */
final class AnalysisTransitions {
    /** The width of the {@code reason} column (VARCHAR(4000)): a longer reason is cut, not refused. */
    static final int REASON_LIMIT = 4000;

    private final StoreJdbc jdbc;
    private final AnalysisReads reads;

    AnalysisTransitions(StoreJdbc jdbc, AnalysisReads reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    void markRunning(String id, Instant at) {
        jdbc.update("UPDATE analysis SET phase = 'RUNNING', updated_at = ? WHERE id = ? AND phase = 'PENDING'", at, id);
    }

    int extend(String id, Instant at) {
        jdbc.update("UPDATE analysis SET measurement_count = measurement_count + 1, extensions = extensions + 1, "
                + "updated_at = ? WHERE id = ? AND " + NOT_ENDED, at, id);
        return reads.extensions(id);
    }

    /**
     * Ends a not-ended analysis, only while {@code lease} (when not null) is still its current lease; the reason and
     * the document are stored with URLs redacted. False when it had ended already or the lease was lost.
     */
    boolean finish(String id, Phase phase, Verdict verdict, Double score, String reason, String verdictJson,
                   Instant at, AnalysisStore.Lease lease) {
        String sql = "UPDATE analysis SET phase = ?, verdict = ?, score = ?, reason = ?, verdict_json = ?, "
                + "completed_at = ?, updated_at = ? WHERE id = ? AND " + NOT_ENDED
                + (lease == null ? "" : " AND EXISTS (SELECT 1 FROM analysis_lease l WHERE l.analysis_id = analysis.id AND "
                + "l.lease_owner = ? AND l.lease_epoch = ?)");
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, phase.name());
                    ps.setString(2, StoreJdbc.name(verdict));
                    setDouble(ps, 3, score);
                    ps.setString(4, limit(Redaction.urls(reason)));
                    ps.setString(5, Redaction.urls(verdictJson));
                    setTime(ps, 6, at);
                    setTime(ps, 7, at);
                    ps.setString(8, id);
                    if (lease != null) {
                        ps.setString(9, lease.owner());
                        ps.setLong(10, lease.epoch());
                    }
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** {@code reason} cut to {@link #REASON_LIMIT} characters (null stays null). */
    static String limit(String reason) {
        return reason == null ? null : reason.substring(0, Math.min(reason.length(), REASON_LIMIT));
    }
}
