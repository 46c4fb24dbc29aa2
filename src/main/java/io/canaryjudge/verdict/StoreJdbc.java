package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import java.sql.Connection;
import io.canaryjudge.judge.Verdict;
import java.sql.PreparedStatement;
import io.canaryjudge.judge.Verdict;
import java.sql.ResultSet;
import io.canaryjudge.judge.Verdict;
import java.sql.SQLException;
import io.canaryjudge.judge.Verdict;
import java.sql.Types;
import io.canaryjudge.judge.Verdict;
import java.time.Instant;
import io.canaryjudge.judge.Verdict;
import java.time.OffsetDateTime;
import io.canaryjudge.judge.Verdict;
import java.time.ZoneOffset;
import io.canaryjudge.judge.Verdict;
import java.util.ArrayList;
import io.canaryjudge.judge.Verdict;
import java.util.List;
import io.canaryjudge.judge.Verdict;
import java.util.Optional;
import io.canaryjudge.judge.Verdict;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The JDBC plumbing every part of the store shares: one connection per call, parameters bound by position, rows
 * read by a {@link Row}, every {@link SQLException} turned into a {@link StoreException}. The few points where H2
 * and PostgreSQL differ for this schema are kept here too: how an instant is bound and read, the SQLState of a
 * unique violation, and when a large result is streamed.
 */
final class StoreJdbc {
    /** SQLState of a unique-constraint violation; H2 (in PostgreSQL mode) and PostgreSQL both report it. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource db;

    StoreJdbc(DataSource db) {
        this.db = db;
    }

    /** Reads one row of a result set at its current position. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** A unit of work on one connection, inside a transaction when run by {@link #inTransaction}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs one statement; returns the number of rows it changed. */
    int update(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Every row of a query, in the query's order. */
    <T> List<T> list(String sql, Row<T> row, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return readAll(ps, row);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The first row of a query, if any. */
    <T> Optional<T> first(String sql, Row<T> row, Object... args) {
        List<T> rows = list(sql, row, args);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /**
     * Hands every row of a query to {@code each} without holding the result: PostgreSQL streams with a cursor
     * (the fetch size) only inside a transaction, so auto-commit is off for the read and the read-only transaction
     * is rolled back after it.
     */
    <T> void stream(String sql, Row<T> row, Consumer<T> each, Object... args) {
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(1000);
                bind(ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        each.accept(row.read(rs));
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

    /** Runs {@code work} on one connection without a transaction of its own (each statement commits). */
    <T> T withConnection(Work<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. The connection's
     * auto-commit is restored before it goes back to the pool.
     */
    <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = db.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    static <T> List<T> readAll(PreparedStatement ps, Row<T> row) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row.read(rs));
            }
        }
        return out;
    }

    /** Whether the statement failed on a unique constraint (a second write of the same key). */
    static boolean uniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /** Binds {@code args} to parameters 1..n; instants as timestamps with time zone. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Instant t) {
                setTime(ps, i + 1, t);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    /** An instant as a {@code TIMESTAMP WITH TIME ZONE} in UTC, so neither driver applies the JVM's zone. */
    static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    /** A nullable score; NaN (no score) is stored as NULL. */
    static void setDouble(PreparedStatement ps, int i, Double d) throws SQLException {
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
     * turn it back into an instant.
     */
    static Instant time(ResultSet rs, int col) throws SQLException {
        java.sql.Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant();
    }

    /** A nullable verdict column (its enum constant's name). */
    static Verdict verdict(ResultSet rs, int col) throws SQLException {
        String v = rs.getString(col);
        return v == null ? null : Verdict.valueOf(v);
    }

    /** A verdict as its column stores it. */
    static String name(Verdict v) {
        return v == null ? null : v.name();
    }

    /** A nullable double column. */
    static Double dbl(ResultSet rs, int col) throws SQLException {
        double d = rs.getDouble(col);
        return rs.wasNull() ? null : d;
    }
}
