package db.migration;

import io.canaryjudge.verdict.CommitTimes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Back-fills {@code analysis.commit_time} (V6) from the stored events that carry a commitTime. A Java migration
 * because the event is JSON text and the same store schema runs on H2 and PostgreSQL, whose JSON functions differ.
 * Runs once, in Flyway's transaction, reading the candidates page by page and updating in batches.
 */
public class V7__Commit_time_from_events extends BaseJavaMigration {
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (PreparedStatement read = c.prepareStatement("SELECT id, event_json FROM analysis "
                + "WHERE commit_time IS NULL AND event_json LIKE '%\"commitTime\"%'");
             PreparedStatement write = c.prepareStatement("UPDATE analysis SET commit_time = ? WHERE id = ?")) {
            read.setFetchSize(BATCH);
            int pending = 0;
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    Instant t = CommitTimes.fromEventJson(rs.getString(2));
                    if (t == null) {
                        continue;
                    }
                    write.setObject(1, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
                    write.setString(2, rs.getString(1));
                    write.addBatch();
                    if (++pending == BATCH) {
                        write.executeBatch();
                        pending = 0;
                    }
                }
            }
            if (pending > 0) {
                write.executeBatch();
            }
        }
    }
}
