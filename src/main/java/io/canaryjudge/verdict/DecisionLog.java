package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import static io.canaryjudge.verdict.StoreJdbc.setTime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Human decisions (approve or abort by hand): the {@code decision} rows and the verdict each one applies, written in
 * one transaction so a decision is never recorded without its effect, nor applied without its record.
 */
final class DecisionLog {
    private final StoreJdbc jdbc;

    DecisionLog(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Applies the decision's verdict (a not-ended analysis ends, an ended INCONCLUSIVE one gets the new verdict,
     * to be published again) and records the decision. False, nothing written, when the analysis is in a state the
     * decision cannot change.
     */
    boolean decide(HumanDecision d, Phase phase, Verdict verdict, String reason, String verdictJson) {
        try {
            return jdbc.inTransaction(c -> applied(c, d, phase, StoreJdbc.name(verdict), reason, verdictJson) && recorded(c, d));
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    List<HumanDecision> decisions(String analysisId) {
        return jdbc.list("SELECT action, actor, reason, decided_at FROM decision WHERE analysis_id = ? ORDER BY seq",
                rs -> new HumanDecision(analysisId, rs.getString(1), rs.getString(2), rs.getString(3),
                        StoreJdbc.time(rs, 4)), analysisId);
    }

    private static boolean applied(Connection c, HumanDecision d, Phase phase, String verdict, String reason,
                                   String verdictJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE analysis SET phase = ?, verdict = ?, reason = ?, "
                + "verdict_json = ?, completed_at = COALESCE(completed_at, ?), updated_at = ?, published_at = NULL, "
                + "cdevent_published_at = NULL WHERE id = ? AND (phase IN ('PENDING', 'RUNNING') OR "
                + "verdict = 'INCONCLUSIVE')")) {
            ps.setString(1, phase.name());
            ps.setString(2, verdict);
            ps.setString(3, AnalysisTransitions.limit(reason));
            ps.setString(4, verdictJson);
            setTime(ps, 5, d.decidedAt());
            setTime(ps, 6, d.decidedAt());
            ps.setString(7, d.analysisId());
            return ps.executeUpdate() == 1;
        }
    }

    private static boolean recorded(Connection c, HumanDecision d) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO decision (analysis_id, seq, action, actor, reason, "
                + "decided_at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM decision WHERE analysis_id = ?), "
                + "?, ?, ?, ?)")) {
            StoreJdbc.bind(ps, d.analysisId(), d.analysisId(), d.action(), d.actor(), d.reason(), d.decidedAt());
            return ps.executeUpdate() == 1;
        }
    }
}
