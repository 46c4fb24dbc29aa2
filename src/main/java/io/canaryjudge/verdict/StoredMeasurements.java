package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.StoreJdbc.setDouble;
import static io.canaryjudge.verdict.StoreJdbc.setTime;
import static io.canaryjudge.verdict.StoreJdbc.time;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code measurement} rows of an analysis, as {@link MeasurementRecord}s. (analysis, seq) is the key: a second
 * write of a measurement is recognised and ignored, so a measurement taken again after a restart is stored once.
 */
final class StoredMeasurements {
    private static final String COLUMNS = "analysis_id, seq, window_start, window_end, taken_at, verdict, score, "
            + "result_json";

    private final StoreJdbc jdbc;

    StoredMeasurements(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores {@code m}; false when the same (analysis, seq) is stored already. */
    boolean add(MeasurementRecord m) {
        return insert("INSERT INTO measurement (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)", m, null)
                == AnalysisStore.Write.STORED;
    }

    /** Stores {@code m} only while {@code lease} is the analysis' current lease (same owner, same epoch). */
    AnalysisStore.Write add(MeasurementRecord m, AnalysisStore.Lease lease) {
        return insert("INSERT INTO measurement (" + COLUMNS + ") SELECT ?,?,?,?,?,?,?,? FROM analysis_lease WHERE "
                + "analysis_id = ? AND lease_owner = ? AND lease_epoch = ?", m, lease);
    }

    private AnalysisStore.Write insert(String sql, MeasurementRecord m, AnalysisStore.Lease lease) {
        try {
            return jdbc.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(ps, m);
                    if (lease != null) {
                        ps.setString(9, m.analysisId());
                        ps.setString(10, lease.owner());
                        ps.setLong(11, lease.epoch());
                    }
                    return ps.executeUpdate() == 1 ? AnalysisStore.Write.STORED : AnalysisStore.Write.FENCED;
                }
            });
        } catch (SQLException e) {
            if (StoreJdbc.uniqueViolation(e)) {
                return AnalysisStore.Write.DUPLICATE;
            }
            throw new StoreException(e);
        }
    }

    List<MeasurementRecord> all(String analysisId) {
        return jdbc.list("SELECT " + COLUMNS + " FROM measurement WHERE analysis_id = ? ORDER BY seq",
                StoredMeasurements::read, analysisId);
    }

    Optional<MeasurementRecord> last(String analysisId) {
        return jdbc.first("SELECT " + COLUMNS + " FROM measurement WHERE analysis_id = ? ORDER BY seq DESC LIMIT 1",
                StoredMeasurements::read, analysisId);
    }

    int count(String analysisId) {
        return jdbc.first("SELECT COUNT(*) FROM measurement WHERE analysis_id = ?", rs -> rs.getInt(1), analysisId)
                .orElseThrow();
    }

    private static void bind(PreparedStatement ps, MeasurementRecord m) throws SQLException {
        ps.setString(1, m.analysisId());
        ps.setInt(2, m.seq());
        setTime(ps, 3, m.windowStart());
        setTime(ps, 4, m.windowEnd());
        setTime(ps, 5, m.takenAt());
        ps.setString(6, StoreJdbc.name(m.verdict()));
        setDouble(ps, 7, m.score());
        ps.setString(8, m.resultJson());
    }

    private static MeasurementRecord read(ResultSet rs) throws SQLException {
        return new MeasurementRecord(rs.getString(1), rs.getInt(2), time(rs, 3), time(rs, 4), time(rs, 5),
                StoreJdbc.verdict(rs, 6), StoreJdbc.dbl(rs, 7), rs.getString(8));
    }
}
