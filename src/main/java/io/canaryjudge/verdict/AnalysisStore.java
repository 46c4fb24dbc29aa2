package io.canaryjudge.verdict;

import io.canaryjudge.event.EventSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Persistence of analyses and measurements over plain JDBC. Every state change is one conditional
 * statement, so a verdict is written once even when two callers race.
 */
@ApplicationScoped
public class AnalysisStore {
    private static final String COLUMNS = "id, event_id, deployment_id, namespace, service, environment, template, "
            + "canary_digest, stable_digest, event_json, template_json, started_at, interval_ms, measurement_count, "
            + "phase, verdict, score, reason, verdict_json, created_at, updated_at, completed_at, published_at";

    /**
     * The history list never shows the frozen event, template or verdict document: leaving them in the table
     * keeps a page of 50 rows at a few hundred bytes each instead of kilobytes (and spares PostgreSQL detoasting).
     */
    private static final String SUMMARY_COLUMNS = COLUMNS.replace("event_json", "NULL AS event_json")
            .replace("template_json", "NULL AS template_json").replace("verdict_json", "NULL AS verdict_json");

    private final DataSource db;

    AnalysisStore(DataSource db) {
        this.db = db;
    }

    /** Inserts the analysis unless one with the same event id exists; returns the stored one either way. */
    public Insert insertIfAbsent(AnalysisRecord a) {
        return insert(a, null, null);
    }

    /**
     * Inserts the analysis and, in the same transaction, ends every other PENDING or RUNNING analysis of its
     * namespace/service started by the same source ({@link EventSource}) as CANCELLED with {@code reason}: a crash in
     * between can leave neither two running analyses of one service and source nor a superseded analysis without its
     * successor. Nothing changes when the event id exists.
     */
    public Insert insertSuperseding(AnalysisRecord a, String reason, Instant now) {
        return insert(a, reason, now, x -> null);
    }

    /**
     * As {@link #insertSuperseding(AnalysisRecord, String, Instant)}, storing with each superseded analysis the
     * document {@code cancelled} writes for it (its CANCELLED event, published like a verdict) in the same transaction.
     */
    public Insert insertSuperseding(AnalysisRecord a, String reason, Instant now,
                                    java.util.function.Function<AnalysisRecord, String> cancelled) {
        return insert(a, reason, now, cancelled);
    }

    private Insert insert(AnalysisRecord a, String supersedeReason, Instant now) {
        return insert(a, supersedeReason, now, x -> null);
    }

    private Insert insert(AnalysisRecord a, String supersedeReason, Instant now,
                          java.util.function.Function<AnalysisRecord, String> cancelled) {
        Optional<AnalysisRecord> existing = findByEventId(a.eventId());
        if (existing.isPresent()) {
            return new Insert(existing.get(), false, List.of());
        }
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis (" + COLUMNS
                        + ", commit_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    bindInsert(ps, a);
                    ps.executeUpdate();
                }
                List<String> superseded = new ArrayList<>();
                List<AnalysisRecord> ended = new ArrayList<>();
                if (supersedeReason != null) {
                    EventSource source = EventSource.of(a.eventId());
                    try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM analysis WHERE "
                            + "namespace = ? AND service = ? AND phase IN ('PENDING', 'RUNNING') AND id <> ?")) {
                        q.setString(1, a.namespace());
                        q.setString(2, a.service());
                        q.setString(3, a.id());
                        try (ResultSet rs = q.executeQuery()) {
                            while (rs.next()) {
                                AnalysisRecord r = map(rs);
                                if (EventSource.of(r.eventId()) == source) {
                                    superseded.add(r.id());
                                    ended.add(r);
                                }
                            }
                        }
                    }
                    try (PreparedStatement u = c.prepareStatement("UPDATE analysis SET phase = 'CANCELLED', reason = ?, "
                            + "verdict_json = ?, completed_at = ?, updated_at = ? WHERE id = ? AND phase IN "
                            + "('PENDING', 'RUNNING')")) {
                        for (AnalysisRecord r : ended) {
                            u.setString(1, supersedeReason);
                            u.setString(2, cancelled.apply(r));
                            setTime(u, 3, now);
                            setTime(u, 4, now);
                            u.setString(5, r.id());
                            u.addBatch();
                        }
                        if (!superseded.isEmpty()) {
                            u.executeBatch();
                        }
                    }
                }
                c.commit();
                return new Insert(a, true, List.copyOf(superseded));
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                // a concurrent insert of the same event id won the race: that one is the analysis
                return new Insert(findByEventId(a.eventId()).orElseThrow(() -> new StoreException(e)), false, List.of());
            }
            throw new StoreException(e);
        }
    }

    private static void bindInsert(PreparedStatement ps, AnalysisRecord a) throws SQLException {
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
        ps.setString(++i, a.verdict());
        setDouble(ps, ++i, a.score());
        ps.setString(++i, a.reason());
        ps.setString(++i, a.verdictJson());
        setTime(ps, ++i, a.createdAt());
        setTime(ps, ++i, a.updatedAt());
        setTime(ps, ++i, a.completedAt());
        setTime(ps, ++i, a.publishedAt());
        setTime(ps, ++i, CommitTimes.fromEventJson(a.eventJson()));
    }

    public Optional<AnalysisRecord> find(String id) {
        return one("SELECT " + COLUMNS + " FROM analysis WHERE id = ?", id);
    }

    public Optional<AnalysisRecord> findByEventId(String eventId) {
        return one("SELECT " + COLUMNS + " FROM analysis WHERE event_id = ?", eventId);
    }

    /** Analyses not yet ended (PENDING or RUNNING), oldest first. */
    public List<AnalysisRecord> running() {
        return many("SELECT " + COLUMNS + " FROM analysis WHERE phase IN ('PENDING', 'RUNNING') ORDER BY created_at");
    }

    /** Ids and keys of the analyses not yet ended: the sweep's cheap scan (no event or template text). */
    public List<RunningRef> runningRefs() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, namespace, service FROM analysis "
                     + "WHERE phase IN ('PENDING', 'RUNNING') ORDER BY created_at")) {
            List<RunningRef> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunningRef(rs.getString(1), rs.getString(2) + "/" + rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** What changes while an analysis runs (phase, planned measurements, extensions), read before each measurement. */
    public Optional<Progress> progress(String id) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT phase, measurement_count, extensions FROM analysis WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Progress(Phase.valueOf(rs.getString(1)), rs.getInt(2), rs.getInt(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<AnalysisRecord> running(String namespace, String service) {
        return many("SELECT " + COLUMNS + " FROM analysis WHERE phase IN ('PENDING', 'RUNNING') AND namespace = ? "
                + "AND service = ?", namespace, service);
    }

    /**
     * Ended analyses (a verdict, or CANCELLED with its document) since {@code since} whose CDEvent Kafka has not
     * acknowledged yet, oldest first, at most {@code limit}.
     */
    public List<AnalysisRecord> cdEventsUnpublished(Instant since, int limit) {
        return many("SELECT " + COLUMNS + " FROM analysis WHERE cdevent_published_at IS NULL AND completed_at >= ? AND "
                + "(verdict IS NOT NULL OR (phase = 'CANCELLED' AND verdict_json IS NOT NULL)) ORDER BY completed_at "
                + "LIMIT " + Math.max(1, limit), since);
    }

    /** Kafka acknowledged the analysis' CDEvent. */
    public void markCdEventPublished(String id, Instant at) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE analysis SET cdevent_published_at = ? WHERE id = ?")) {
            setTime(ps, 1, at);
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Analyses with a verdict, or a CANCELLED end with its document, that Kafka has not acknowledged yet. */
    public List<AnalysisRecord> unpublished() {
        return many("SELECT " + COLUMNS + " FROM analysis WHERE (verdict IS NOT NULL OR (phase = 'CANCELLED' AND "
                + "verdict_json IS NOT NULL)) AND published_at IS NULL ORDER BY completed_at");
    }

    /** PENDING becomes RUNNING when the first measurement is stored. */
    public void markRunning(String id, Instant at) {
        update("UPDATE analysis SET phase = 'RUNNING', updated_at = ? WHERE id = ? AND phase = 'PENDING'", at, id);
    }

    /** Adds one measurement to a running analysis (low-traffic extension); returns the extensions used so far. */
    public int extend(String id, Instant at) {
        update("UPDATE analysis SET measurement_count = measurement_count + 1, extensions = extensions + 1, "
                + "updated_at = ? WHERE id = ? AND phase IN ('PENDING', 'RUNNING')", at, id);
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT extensions FROM analysis WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public int extensions(String id) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT extensions FROM analysis WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The measurement with the highest seq, if any. */
    public Optional<MeasurementRecord> lastMeasurement(String analysisId) {
        List<MeasurementRecord> all = measurements(analysisId, "ORDER BY seq DESC LIMIT 1");
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** A replica's claim on a running analysis: who holds it and the fencing token its writes must name. */
    public record Lease(String analysisId, String owner, long epoch) {
    }

    /**
     * Claims a PENDING or RUNNING analysis for {@code owner} until {@code until}: granted when nobody holds it, when
     * {@code owner} already does (then it is extended, same epoch), or when the holder's lease ended before {@code now}
     * (then the epoch goes up, fencing the previous holder's writes). Empty when another replica holds a live lease or
     * the analysis has ended.
     */
    public Optional<Lease> claim(String id, String owner, Instant until, Instant now) {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement u = c.prepareStatement("UPDATE analysis SET lease_epoch = CASE WHEN lease_owner = ? "
                    + "THEN lease_epoch ELSE lease_epoch + 1 END, lease_owner = ?, lease_until = ? WHERE id = ? AND "
                    + "phase IN ('PENDING', 'RUNNING') AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)")) {
                u.setString(1, owner);
                u.setString(2, owner);
                setTime(u, 3, until);
                u.setString(4, id);
                u.setString(5, owner);
                setTime(u, 6, now);
                if (u.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement q = c.prepareStatement("SELECT lease_epoch FROM analysis WHERE id = ? AND "
                    + "lease_owner = ?")) {
                q.setString(1, id);
                q.setString(2, owner);
                try (ResultSet rs = q.executeQuery()) {
                    // a faster replica may have taken an expired lease in between: then this claim did not hold
                    return rs.next() ? Optional.of(new Lease(id, owner, rs.getLong(1))) : Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Extends {@code owner}'s leases on these analyses to {@code until}; returns how many it still held. */
    public int renew(String owner, Collection<String> ids, Instant until) {
        if (ids.isEmpty()) {
            return 0;
        }
        try (Connection c = db.getConnection();
             PreparedStatement u = c.prepareStatement("UPDATE analysis SET lease_until = ? WHERE id = ? AND "
                     + "lease_owner = ? AND phase IN ('PENDING', 'RUNNING')")) {
            for (String id : ids) {
                setTime(u, 1, until);
                u.setString(2, id);
                u.setString(3, owner);
                u.addBatch();
            }
            int held = 0;
            for (int n : u.executeBatch()) {
                held += n > 0 ? 1 : 0;
            }
            return held;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Gives up {@code owner}'s lease (it no longer runs the analysis): another replica may claim it at once. */
    public void release(String id, String owner) {
        try (Connection c = db.getConnection();
             PreparedStatement u = c.prepareStatement("UPDATE analysis SET lease_until = NULL, lease_owner = NULL "
                     + "WHERE id = ? AND lease_owner = ?")) {
            u.setString(1, id);
            u.setString(2, owner);
            u.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** What a fenced write did. */
    public enum Write { STORED, DUPLICATE, FENCED }

    /**
     * Stores a measurement only while {@code lease} is the analysis' current lease (same owner, same epoch): FENCED
     * when another replica has claimed it since; DUPLICATE when the same (analysis, seq) is stored already.
     */
    public Write addMeasurement(MeasurementRecord m, Lease lease) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO measurement (analysis_id, seq, window_start, "
                     + "window_end, taken_at, verdict, score, result_json) SELECT ?,?,?,?,?,?,?,? FROM analysis WHERE "
                     + "id = ? AND lease_owner = ? AND lease_epoch = ?")) {
            bindMeasurement(ps, m);
            ps.setString(9, m.analysisId());
            ps.setString(10, lease.owner());
            ps.setLong(11, lease.epoch());
            return ps.executeUpdate() == 1 ? Write.STORED : Write.FENCED;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return Write.DUPLICATE;
            }
            throw new StoreException(e);
        }
    }

    private static void bindMeasurement(PreparedStatement ps, MeasurementRecord m) throws SQLException {
        ps.setString(1, m.analysisId());
        ps.setInt(2, m.seq());
        setTime(ps, 3, m.windowStart());
        setTime(ps, 4, m.windowEnd());
        setTime(ps, 5, m.takenAt());
        ps.setString(6, m.verdict());
        setDouble(ps, 7, m.score());
        ps.setString(8, m.resultJson());
    }

    /** Stores a measurement; a second write of the same (analysis, seq) is ignored. */
    public boolean addMeasurement(MeasurementRecord m) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO measurement (analysis_id, seq, window_start, "
                     + "window_end, taken_at, verdict, score, result_json) VALUES (?,?,?,?,?,?,?,?)")) {
            bindMeasurement(ps, m);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw new StoreException(e);
        }
    }

    public List<MeasurementRecord> measurements(String analysisId) {
        return measurements(analysisId, "ORDER BY seq");
    }

    private List<MeasurementRecord> measurements(String analysisId, String order) {
        List<MeasurementRecord> out = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT analysis_id, seq, window_start, window_end, taken_at, "
                     + "verdict, score, result_json FROM measurement WHERE analysis_id = ? " + order)) {
            ps.setString(1, analysisId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new MeasurementRecord(rs.getString(1), rs.getInt(2), time(rs, 3), time(rs, 4), time(rs, 5),
                            rs.getString(6), dbl(rs, 7), rs.getString(8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public int measurementCount(String analysisId) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM measurement WHERE analysis_id = ?")) {
            ps.setString(1, analysisId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Ends a PENDING or RUNNING analysis. Returns false when it had already ended, so the caller that gets true
     * is the only one to publish.
     */
    public boolean finish(String id, Phase phase, String verdict, Double score, String reason, String verdictJson,
                          Instant at) {
        return finish(id, phase, verdict, score, reason, verdictJson, at, null);
    }

    /**
     * Ends a running analysis with its verdict, only while {@code lease} (when given) is still its current lease:
     * false when it had ended already or another replica has claimed it since.
     */
    public boolean finish(String id, Phase phase, String verdict, Double score, String reason, String verdictJson,
                          Instant at, Lease lease) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE analysis SET phase = ?, verdict = ?, score = ?, "
                     + "reason = ?, verdict_json = ?, completed_at = ?, updated_at = ? WHERE id = ? "
                     + "AND phase IN ('PENDING', 'RUNNING')"
                     + (lease == null ? "" : " AND lease_owner = ? AND lease_epoch = ?"))) {
            if (lease != null) {
                ps.setString(9, lease.owner());
                ps.setLong(10, lease.epoch());
            }
            ps.setString(1, phase.name());
            ps.setString(2, verdict);
            setDouble(ps, 3, score);
            String shown = io.canaryjudge.Redaction.urls(reason);
            ps.setString(4, shown == null ? null : shown.substring(0, Math.min(shown.length(), 4000)));
            ps.setString(5, io.canaryjudge.Redaction.urls(verdictJson));
            setTime(ps, 6, at);
            setTime(ps, 7, at);
            ps.setString(8, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Records a human decision and applies its verdict in one transaction: a running analysis ends, an ended
     * INCONCLUSIVE one gets the new verdict. Returns false (nothing written) when the analysis is in a state the
     * decision cannot change.
     */
    public boolean decide(HumanDecision d, Phase phase, String verdict, String reason, String verdictJson) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                int updated;
                try (PreparedStatement ps = c.prepareStatement("UPDATE analysis SET phase = ?, verdict = ?, reason = ?, "
                        + "verdict_json = ?, completed_at = COALESCE(completed_at, ?), updated_at = ?, published_at = NULL, "
                        + "cdevent_published_at = NULL WHERE id = ? AND (phase IN ('PENDING', 'RUNNING') OR "
                        + "verdict = 'INCONCLUSIVE')")) {
                    ps.setString(1, phase.name());
                    ps.setString(2, verdict);
                    ps.setString(3, reason.substring(0, Math.min(reason.length(), 4000)));
                    ps.setString(4, verdictJson);
                    setTime(ps, 5, d.decidedAt());
                    setTime(ps, 6, d.decidedAt());
                    ps.setString(7, d.analysisId());
                    updated = ps.executeUpdate();
                }
                if (updated != 1) {
                    c.rollback();
                    return false;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO decision (analysis_id, seq, action, actor, "
                        + "reason, decided_at) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM decision WHERE analysis_id = ?), "
                        + "?, ?, ?, ?)")) {
                    ps.setString(1, d.analysisId());
                    ps.setString(2, d.analysisId());
                    ps.setString(3, d.action());
                    ps.setString(4, d.actor());
                    ps.setString(5, d.reason());
                    setTime(ps, 6, d.decidedAt());
                    ps.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<HumanDecision> decisions(String analysisId) {
        List<HumanDecision> out = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT action, actor, reason, decided_at FROM decision "
                     + "WHERE analysis_id = ? ORDER BY seq")) {
            ps.setString(1, analysisId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HumanDecision(analysisId, rs.getString(1), rs.getString(2), rs.getString(3), time(rs, 4)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public void markPublished(String id, Instant at) {
        update("UPDATE analysis SET published_at = ? WHERE id = ? AND published_at IS NULL", at, id);
    }

    /**
     * Newest first, keyset-paginated: the cursor is the position after the last row of the previous page. The
     * rows are summaries: eventJson, templateJson and verdictJson are null (read one analysis for them).
     */
    public Page list(AnalysisQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + SUMMARY_COLUMNS + " FROM analysis WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (q.namespace() != null) {
            sql.append(" AND namespace = ?");
            args.add(q.namespace());
        }
        if (q.service() != null) {
            sql.append(" AND service = ?");
            args.add(q.service());
        }
        if (q.verdict() != null) {
            sql.append(" AND verdict = ?");
            args.add(q.verdict());
        }
        if (q.since() != null) {
            sql.append(" AND started_at >= ?");
            args.add(q.since());
        }
        if (q.until() != null) {
            sql.append(" AND started_at < ?");
            args.add(q.until());
        }
        if (q.cursor() != null) {
            Cursor cur = Cursor.decode(q.cursor());
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(cur.createdAt());
            args.add(cur.createdAt());
            args.add(cur.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(q.limit() + 1);
        List<AnalysisRecord> rows = many(sql.toString(), args.toArray());
        String next = null;
        if (rows.size() > q.limit()) {
            rows = rows.subList(0, q.limit());
            AnalysisRecord last = rows.get(rows.size() - 1);
            next = new Cursor(last.createdAt(), last.id()).encode();
        }
        return new Page(List.copyOf(rows), next);
    }

    /** One judged analysis as the DORA figures read it: no documents, the event's commit time from its column. */
    public record Judged(String id, String namespace, String service, String verdict, Instant startedAt,
                         Instant completedAt, Instant commitTime) {
    }

    /**
     * Streams the judged analyses started at or after {@code since} (optionally of one namespace and/or service) to
     * {@code each}, grouped by namespace and service and by start time within each: a window of 10^6 analyses is read
     * a page at a time and never held whole (the DORA figures keep one service's deployments at a time).
     */
    public void forEachJudged(String namespace, String service, Instant since, Consumer<Judged> each) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder("verdict IS NOT NULL AND completed_at IS NOT NULL AND started_at >= ?");
        args.add(since);
        if (namespace != null) {
            where.append(" AND namespace = ?");
            args.add(namespace);
        }
        if (service != null) {
            where.append(" AND service = ?");
            args.add(service);
        }
        String sql = "SELECT id, namespace, service, verdict, started_at, completed_at, commit_time FROM analysis WHERE "
                + where + " ORDER BY namespace, service, started_at, id";
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                bind(ps, args.toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        each.accept(new Judged(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                time(rs, 5), time(rs, 6), time(rs, 7)));
                    }
                }
            } finally {
                c.rollback(); // read only
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** A running analysis's id and key ({@code namespace/service}). */
    public record RunningRef(String id, String key) {
    }

    /** The mutable part of a running analysis. */
    public record Progress(Phase phase, int measurementCount, int extensions) {
    }

    /** Result of {@link #insertIfAbsent}: the stored analysis and whether this call created it. */
    /** @param superseded the analyses this insert ended as CANCELLED (empty for a plain insert) */
    public record Insert(AnalysisRecord analysis, boolean created, List<String> superseded) {
    }

    /** One page of history and the cursor of the next page (null on the last page). */
    public record Page(List<AnalysisRecord> items, String nextCursor) {
    }

    record Cursor(Instant createdAt, String id) {
        String encode() {
            String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                String[] secNano = raw.substring(0, colon).split("\\.");
                return new Cursor(Instant.ofEpochSecond(Long.parseLong(secNano[0]), Long.parseLong(secNano[1])),
                        raw.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid cursor");
            }
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private Optional<AnalysisRecord> one(String sql, Object... args) {
        List<AnalysisRecord> rows = many(sql, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private List<AnalysisRecord> many(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            List<AnalysisRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Instant t) {
                setTime(ps, i + 1, t);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    /** One row of {@link #COLUMNS} (or {@link #SUMMARY_COLUMNS}, same order), read by position: no name look-ups. */
    private static AnalysisRecord map(ResultSet rs) throws SQLException {
        return new AnalysisRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11),
                time(rs, 12), Duration.ofMillis(rs.getLong(13)), rs.getInt(14), Phase.valueOf(rs.getString(15)),
                rs.getString(16), dbl(rs, 17), rs.getString(18), rs.getString(19), time(rs, 20), time(rs, 21),
                time(rs, 22), time(rs, 23));
    }

    private static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private static void setDouble(PreparedStatement ps, int i, Double d) throws SQLException {
        if (d == null || d.isNaN()) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, d);
        }
    }

    /**
     * A {@code TIMESTAMP WITH TIME ZONE} column as an instant. Read as a {@link java.sql.Timestamp} (an instant in
     * epoch milliseconds and nanos on both drivers for this type) rather than an {@code OffsetDateTime}, which
     * pgjdbc builds through {@code LocalDateTime}, {@code LocalDate}, {@code LocalTime} and zone rules only for us to
     * turn it back into an instant: six timestamps per row were a tenth of the history list's allocation.
     */
    private static Instant time(ResultSet rs, int col) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    private static Double dbl(ResultSet rs, int col) throws SQLException {
        double d = rs.getDouble(col);
        return rs.wasNull() ? null : d;
    }

}
