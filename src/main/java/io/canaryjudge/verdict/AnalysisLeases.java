package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.NOT_ENDED;
import static io.canaryjudge.verdict.StoreJdbc.setTime;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * Which replica runs an analysis: a lease (owner, expiry) in its row of {@code analysis_lease} and an epoch that goes
 * up whenever another replica takes it over, so the writes of a replica that lost its lease are refused (see
 * docs/adr/0016-store-lease.md).
 */
final class AnalysisLeases {
    private final StoreJdbc jdbc;

    AnalysisLeases(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Granted when nobody holds the lease, when {@code owner} does (extended, same epoch) or when the holder's lease
     * ended before {@code now} (epoch up). Empty when another replica holds a live lease or the analysis has ended.
     */
    Optional<AnalysisStore.Lease> claim(String id, String owner, Instant until, Instant now) {
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement u = c.prepareStatement("UPDATE analysis_lease SET lease_epoch = CASE WHEN "
                        + "lease_owner = ? THEN lease_epoch ELSE lease_epoch + 1 END, lease_owner = ?, lease_until = ? "
                        + "WHERE analysis_id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?) AND "
                        + "EXISTS (SELECT 1 FROM analysis WHERE id = ? AND " + NOT_ENDED + ")")) {
                    StoreJdbc.bind(u, owner, owner, until, id, owner, now, id);
                    if (u.executeUpdate() != 1) {
                        return Optional.empty();
                    }
                }
                try (PreparedStatement q = c.prepareStatement("SELECT lease_epoch FROM analysis_lease WHERE "
                        + "analysis_id = ? AND lease_owner = ?")) {
                    StoreJdbc.bind(q, id, owner);
                    try (ResultSet rs = q.executeQuery()) {
                        // a faster replica may have taken an expired lease in between: then this claim did not hold
                        return rs.next() ? Optional.of(new AnalysisStore.Lease(id, owner, rs.getLong(1)))
                                : Optional.empty();
                    }
                }
            });
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * Extends {@code owner}'s leases on these analyses to {@code until} in one statement; returns how many it still
     * held. Only the listed ones: a lease this replica gave up but failed to release still runs out.
     */
    int renew(String owner, Collection<String> ids, Instant until) {
        if (ids.isEmpty()) {
            return 0;
        }
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement u = c.prepareStatement("UPDATE analysis_lease SET lease_until = ? WHERE "
                        + "lease_owner = ? AND analysis_id = ANY(?)")) {
                    setTime(u, 1, until);
                    u.setString(2, owner);
                    java.sql.Array array = c.createArrayOf("VARCHAR", ids.toArray(String[]::new));
                    try {
                        u.setArray(3, array);
                        return u.executeUpdate();
                    } finally {
                        array.free();
                    }
                }
            });
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    void release(String id, String owner) {
        jdbc.update("UPDATE analysis_lease SET lease_until = NULL, lease_owner = NULL WHERE analysis_id = ? AND "
                + "lease_owner = ?", id, owner);
    }
}
