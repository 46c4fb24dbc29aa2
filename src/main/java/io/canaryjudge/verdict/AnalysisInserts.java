package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.COLUMNS;
import static io.canaryjudge.verdict.AnalysisRows.NOT_ENDED;
import static io.canaryjudge.verdict.StoreJdbc.setTime;

import io.canaryjudge.event.EventSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * New analyses: stored once per event id, and optionally ending the analyses they supersede in the same transaction,
 * so a crash in between leaves neither two running analyses of one service and source nor a superseded analysis
 * without its successor.
 */
final class AnalysisInserts {
    private final StoreJdbc jdbc;
    private final AnalysisReads reads;

    AnalysisInserts(StoreJdbc jdbc, AnalysisReads reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    /**
     * Inserts {@code a} unless its event id is stored already (then returns the stored one); with {@code supersede}
     * (null for none), ends the other not-ended analyses of its service and event source as CANCELLED.
     */
    AnalysisStore.Insert insert(AnalysisRecord a, Supersede supersede) {
        Optional<AnalysisRecord> existing = reads.findByEventId(a.eventId());
        if (existing.isPresent()) {
            return new AnalysisStore.Insert(existing.get(), false, List.of());
        }
        try {
            List<String> superseded = jdbc.inTransaction(c -> {
                insertRow(c, a);
                return supersede == null ? List.<String>of() : supersede(c, a, supersede);
            });
            return new AnalysisStore.Insert(a, true, superseded);
        } catch (SQLException e) {
            if (StoreJdbc.uniqueViolation(e)) {
                // a concurrent insert of the same event id won the race: that one is the analysis
                AnalysisRecord winner = reads.findByEventId(a.eventId()).orElseThrow(() -> new StoreException(e));
                return new AnalysisStore.Insert(winner, false, List.of());
            }
            throw new StoreException(e);
        }
    }

    private static void insertRow(Connection c, AnalysisRecord a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AnalysisRows.INSERT)) {
            AnalysisRows.bindInsert(ps, a);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis_lease (analysis_id) VALUES (?)")) {
            ps.setString(1, a.id()); // a free lease, epoch 0: claims are conditional updates of this row
            ps.executeUpdate();
        }
    }

    /** Ends the not-ended analyses of {@code a}'s service started by the same source; returns their ids. */
    private static List<String> supersede(Connection c, AnalysisRecord a, Supersede how) throws SQLException {
        List<AnalysisRecord> ended = sameSource(c, a);
        if (ended.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement u = c.prepareStatement("UPDATE analysis SET phase = 'CANCELLED', reason = ?, "
                + "verdict_json = ?, completed_at = ?, updated_at = ? WHERE id = ? AND " + NOT_ENDED)) {
            for (AnalysisRecord r : ended) {
                u.setString(1, how.reason());
                u.setString(2, how.cancelled().apply(r));
                setTime(u, 3, how.at());
                setTime(u, 4, how.at());
                u.setString(5, r.id());
                u.addBatch();
            }
            u.executeBatch();
        }
        return ended.stream().map(AnalysisRecord::id).toList();
    }

    /** The other not-ended analyses of {@code a}'s namespace/service whose events come from the same source. */
    private static List<AnalysisRecord> sameSource(Connection c, AnalysisRecord a) throws SQLException {
        EventSource source = EventSource.of(a.eventId());
        try (PreparedStatement q = c.prepareStatement("SELECT " + COLUMNS + " FROM analysis WHERE "
                + "namespace = ? AND service = ? AND " + NOT_ENDED + " AND id <> ?")) {
            StoreJdbc.bind(q, a.namespace(), a.service(), a.id());
            return StoreJdbc.readAll(q, AnalysisRows::read).stream()
                    .filter(r -> EventSource.of(r.eventId()) == source).toList();
        }
    }

    /**
     * How an insert ends the analyses it supersedes: with this reason, at this time, each with the document
     * {@code cancelled} writes for it (null for none).
     */
    record Supersede(String reason, Instant at, Function<AnalysisRecord, String> cancelled) {
    }
}
