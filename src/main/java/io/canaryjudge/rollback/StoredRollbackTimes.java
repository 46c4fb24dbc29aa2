package io.canaryjudge.rollback;

import io.canaryjudge.dora.RollbackTimes;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

/** DORA's time to restore from the rollback table: when each APPLIED rollback finished. */
@ApplicationScoped
class StoredRollbackTimes implements RollbackTimes {
    private final DataSource db;

    StoredRollbackTimes(DataSource db) {
        this.db = db;
    }

    @Override
    public Map<String, Instant> appliedSince(Instant since) {
        Map<String, Instant> out = new HashMap<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT analysis_id, finished_at FROM rollback "
                     + "WHERE state = 'APPLIED' AND finished_at IS NOT NULL AND finished_at >= ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rollback times: " + e.getMessage(), e);
        }
        return out;
    }
}
