package io.canaryjudge.rollback;

import io.canaryjudge.dora.RollbackTimes;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** DORA's time to restore from the rollback table: when each APPLIED rollback finished. */
@ApplicationScoped
class StoredRollbackTimes implements RollbackTimes {
    private static final int CHUNK = 500;
    private final DataSource db;

    StoredRollbackTimes(DataSource db) {
        this.db = db;
    }

    @Override
    public Map<String, Instant> appliedAt(Collection<String> analysisIds) {
        Map<String, Instant> out = new HashMap<>();
        List<String> ids = new ArrayList<>(analysisIds);
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT analysis_id, finished_at FROM rollback "
                         + "WHERE state = 'APPLIED' AND finished_at IS NOT NULL AND analysis_id IN (" + marks + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("rollback times: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
