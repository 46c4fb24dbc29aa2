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
 * Which replica runs an analysis: a lease (owner, expiry) on its row and an epoch that goes up whenever another
 * replica takes it over, so the writes of a replica that lost its lease are refused (see docs/adr/0016-store-lease.md).
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
                try (PreparedStatement u = c.prepareStatement("UPDATE analysis SET lease_epoch = CASE WHEN "
                        + "lease_owner = ? THEN lease_epoch ELSE lease_epoch + 1 END, lease_owner = ?, lease_until = ? "
                        + "WHERE id = ? AND " + NOT_ENDED + " AND (lease_owner IS NULL OR lease_owner = ? OR "
                        + "lease_until < ?)")) {
                    StoreJdbc.bind(u, owner, owner, until, id, owner, now);
                    if (u.executeUpdate() != 1) {
                        return Optional.empty();
                    }
                }
                try (PreparedStatement q = c.prepareStatement("SELECT lease_epoch FROM analysis WHERE id = ? AND "
                        + "lease_owner = ?")) {
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

    /** Extends {@code owner}'s leases on these analyses to {@code until}; returns how many it still held. */
    int renew(String owner, Collection<String> ids, Instant until) {
        if (ids.isEmpty()) {
            return 0;
        }
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement u = c.prepareStatement("UPDATE analysis SET lease_until = ? WHERE id = ? AND "
                        + "lease_owner = ? AND " + NOT_ENDED)) {
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
                }
            });
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    void release(String id, String owner) {
        jdbc.update("UPDATE analysis SET lease_until = NULL, lease_owner = NULL WHERE id = ? AND lease_owner = ?", id,
                owner);
    }
}
