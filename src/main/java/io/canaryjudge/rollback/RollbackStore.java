package io.canaryjudge.rollback;

import io.canaryjudge.verdict.StoreException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code rollback} table. Exactly once rests on two conditional statements: the claim is an insert keyed by
 * the analysis id (a second one fails on the primary key), and a takeover of an expired claim or the final state
 * is an update conditioned on the state and holder read — whoever gets 0 rows lost the race and does nothing.
 */
@ApplicationScoped
class RollbackStore {
    private static final String COLUMNS = "analysis_id, state, strategy, dry_run, claimed_by, claimed_at, attempts, "
            + "verdict_at, finished_at, reason, detail, artifact, published_at";

    private final DataSource db;

    RollbackStore(DataSource db) {
        this.db = db;
    }

    /** Claims the rollback of an analysis; false when a row exists already (claimed or done by anyone). */
    boolean claim(String analysisId, String strategy, boolean dryRun, String holder, Instant now, Instant verdictAt) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO rollback (analysis_id, state, strategy, dry_run, "
                     + "claimed_by, claimed_at, attempts, verdict_at) VALUES (?, 'CLAIMED', ?, ?, ?, ?, 1, ?)")) {
            ps.setString(1, analysisId);
            ps.setString(2, strategy);
            ps.setBoolean(3, dryRun);
            ps.setString(4, holder);
            setTime(ps, 5, now);
            setTime(ps, 6, verdictAt);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw new StoreException(e);
        }
    }

    /** Takes over a claim whose holder stopped renewing it before {@code expiredBefore}; false if anyone was first. */
    boolean takeOver(String analysisId, String holder, Instant now, Instant expiredBefore) {
        return update("UPDATE rollback SET claimed_by = ?, claimed_at = ?, attempts = attempts + 1 "
                + "WHERE analysis_id = ? AND state = 'CLAIMED' AND claimed_at < ?", holder, now, analysisId, expiredBefore) == 1;
    }

    /** Stores the outcome, if this holder still has the claim. */
    /** Renews {@code holder}'s claim while its rollback runs; false when the claim is no longer its own. */
    boolean renew(String analysisId, String holder, Instant now) {
        return update("UPDATE rollback SET claimed_at = ? WHERE analysis_id = ? AND state = 'CLAIMED' AND claimed_by = ?",
                now, analysisId, holder) == 1;
    }

    boolean finish(String analysisId, String holder, RollbackOutcome o, Instant now) {
        return update("UPDATE rollback SET state = ?, finished_at = ?, reason = ?, detail = ?, artifact = ? "
                        + "WHERE analysis_id = ? AND state = 'CLAIMED' AND claimed_by = ?",
                o.state().name(), now, cut(o.reason()), cut(o.detail()), o.artifact(), analysisId, holder) == 1;
    }

    void markPublished(String analysisId, Instant now) {
        update("UPDATE rollback SET published_at = ? WHERE analysis_id = ? AND published_at IS NULL", now, analysisId);
    }

    Optional<RollbackStatus> find(String analysisId) {
        List<RollbackStatus> rows = query("SELECT " + COLUMNS + " FROM rollback WHERE analysis_id = ?", analysisId);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * ABORT verdicts since {@code since} with no rollback row, or with a claim that expired before
     * {@code expiredBefore}: what a crash or a restart left undone.
     */
    List<String> unfinished(Instant since, Instant expiredBefore) {
        List<String> ids = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT a.id FROM analysis a LEFT JOIN rollback r "
                     + "ON r.analysis_id = a.id WHERE a.verdict = 'ABORT' AND (a.completed_at >= ? OR a.updated_at >= ?) "
                     + "AND (r.analysis_id IS NULL OR (r.state = 'CLAIMED' AND r.claimed_at < ?)) ORDER BY a.completed_at")) {
            // updated_at: an old INCONCLUSIVE analysis a person aborted now keeps its completed_at
            setTime(ps, 1, since);
            setTime(ps, 2, since);
            setTime(ps, 3, expiredBefore);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** FAILED rollbacks (not dry runs) whose verdict is at or after {@code since}, oldest first. */
    List<RollbackStatus> failed(Instant since) {
        return query("SELECT " + COLUMNS + " FROM rollback WHERE state = 'FAILED' AND dry_run = FALSE AND verdict_at >= ? "
                + "ORDER BY verdict_at", since);
    }

    /** Claims a FAILED rollback again for one more attempt; false if another run did (attempts changed). */
    boolean retry(String analysisId, String holder, Instant now, int attempts) {
        return update("UPDATE rollback SET state = 'CLAIMED', claimed_by = ?, claimed_at = ?, attempts = attempts + 1, "
                + "finished_at = NULL, published_at = NULL WHERE analysis_id = ? AND state = 'FAILED' AND attempts = ?",
                holder, now, analysisId, attempts) == 1;
    }

    /** Final outcomes whose event Kafka never acknowledged. */
    List<RollbackStatus> unpublished() {
        return query("SELECT " + COLUMNS + " FROM rollback WHERE state <> 'CLAIMED' AND published_at IS NULL "
                + "ORDER BY finished_at");
    }

    private List<RollbackStatus> query(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<RollbackStatus> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RollbackStatus(rs.getString("analysis_id"), RollbackState.valueOf(rs.getString("state")),
                            rs.getString("strategy"), rs.getBoolean("dry_run"), rs.getInt("attempts"),
                            time(rs, "claimed_at"), time(rs, "verdict_at"), time(rs, "finished_at"),
                            rs.getString("reason"), rs.getString("detail"), rs.getString("artifact"),
                            time(rs, "published_at")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Instant t) {
                setTime(ps, i + 1, t);
            } else if (args[i] == null) {
                ps.setNull(i + 1, Types.VARCHAR);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    private static String cut(String s) {
        return s == null ? null : s.substring(0, Math.min(s.length(), 4000));
    }

    private static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private static Instant time(ResultSet rs, String col) throws SQLException {
        OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
