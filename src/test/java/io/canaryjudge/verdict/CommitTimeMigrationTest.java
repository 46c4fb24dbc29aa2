package io.canaryjudge.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.canaryjudge.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** V7 back-fills the commit_time column (V6) from analyses stored before it, on H2 and on a real PostgreSQL. */
class CommitTimeMigrationTest {

    @Test
    void analysesStoredBeforeV6GetTheirEventsCommitTime() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:commit-time-migration;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2.setUser("sa");
        check(h2);
        try (PostgresServer postgres = PostgresServer.start()) {
            PGSimpleDataSource pg = new PGSimpleDataSource();
            pg.setURL(postgres.jdbcUrl());
            pg.setUser(postgres.user());
            check(pg);
        }
    }

    private static void check(DataSource ds) throws Exception {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").target("6").load().migrate();
        Map<String, String> events = Map.of(
                "iso", "{\"service\":\"pay\",\"commitTime\":\"2026-11-25T23:00:00+01:00\"}",
                "epoch", "{\"commitTime\":1793401200}",
                "none", "{\"service\":\"pay\"}",
                "bad", "{\"commitTime\":\"yesterday\"}",
                "nested", "{\"labels\":{\"commitTime\":\"2026-11-25T22:00:00Z\"}}");
        try (Connection c = ds.getConnection()) {
            for (Map.Entry<String, String> e : events.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO analysis (id, event_id, deployment_id, "
                        + "namespace, service, template, canary_digest, stable_digest, event_json, template_json, "
                        + "started_at, interval_ms, measurement_count, phase, created_at, updated_at) "
                        + "VALUES (?, ?, 'd', 'ns', 'pay', 't', 'c', 's', ?, '{}', ?, 60000, 10, 'RUNNING', ?, ?)")) {
                    OffsetDateTime now = OffsetDateTime.parse("2026-11-26T00:00:00Z");
                    ps.setString(1, e.getKey());
                    ps.setString(2, "event-" + e.getKey());
                    ps.setString(3, e.getValue());
                    ps.setObject(4, now);
                    ps.setObject(5, now);
                    ps.setObject(6, now);
                    ps.executeUpdate();
                }
            }
        }
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        Map<String, Instant> commit = new HashMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, commit_time FROM analysis")) {
            while (rs.next()) {
                OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
                commit.put(rs.getString(1), t == null ? null : t.toInstant());
            }
        }
        assertEquals(5, commit.size());
        assertEquals(Instant.parse("2026-11-25T22:00:00Z"), commit.get("iso"));
        assertEquals(Instant.ofEpochSecond(1793401200), commit.get("epoch"));
        assertNull(commit.get("none"));
        assertNull(commit.get("bad"));
        assertNull(commit.get("nested"), "only the event's own commitTime counts");
    }
}
