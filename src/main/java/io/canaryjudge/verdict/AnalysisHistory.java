package io.canaryjudge.verdict;

import static io.canaryjudge.verdict.AnalysisRows.SUMMARY_COLUMNS;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ended and running analyses over time: the history list, a page at a time, and the judged analyses the DORA
 * figures read, streamed. Neither reads the frozen documents.
 */
final class AnalysisHistory {
    private final StoreJdbc jdbc;

    AnalysisHistory(StoreJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Newest first, keyset-paginated: the cursor is the position after the last row of the previous page. */
    AnalysisStore.Page list(AnalysisQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + SUMMARY_COLUMNS + " FROM analysis WHERE 1=1");
        List<Object> args = new ArrayList<>();
        filter(sql, args, "namespace = ?", q.namespace());
        filter(sql, args, "service = ?", q.service());
        filter(sql, args, "verdict = ?", StoreJdbc.name(q.verdict()));
        filter(sql, args, "started_at >= ?", q.since());
        filter(sql, args, "started_at < ?", q.until());
        if (q.cursor() != null) {
            Cursor cur = Cursor.decode(q.cursor());
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(cur.createdAt());
            args.add(cur.createdAt());
            args.add(cur.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(q.limit() + 1);
        List<AnalysisRecord> rows = jdbc.list(sql.toString(), AnalysisRows::read, args.toArray());
        String next = null;
        if (rows.size() > q.limit()) {
            rows = rows.subList(0, q.limit());
            AnalysisRecord last = rows.get(rows.size() - 1);
            next = new Cursor(last.createdAt(), last.id()).encode();
        }
        return new AnalysisStore.Page(List.copyOf(rows), next);
    }

    /**
     * Streams the judged analyses started at or after {@code since} (of one namespace and/or service when not null)
     * to {@code each}, by namespace, service and start time.
     */
    void forEachJudged(String namespace, String service, Instant since, Consumer<AnalysisStore.Judged> each) {
        StringBuilder sql = new StringBuilder("SELECT id, namespace, service, verdict, started_at, completed_at, "
                + "commit_time FROM analysis WHERE verdict IS NOT NULL AND completed_at IS NOT NULL AND started_at >= ?");
        List<Object> args = new ArrayList<>(List.of(since));
        filter(sql, args, "namespace = ?", namespace);
        filter(sql, args, "service = ?", service);
        sql.append(" ORDER BY namespace, service, started_at, id");
        jdbc.stream(sql.toString(), rs -> new AnalysisStore.Judged(rs.getString(1), rs.getString(2), rs.getString(3),
                StoreJdbc.verdict(rs, 4), StoreJdbc.time(rs, 5), StoreJdbc.time(rs, 6), StoreJdbc.time(rs, 7)), each,
                args.toArray());
    }

    /** Appends {@code AND condition} with its one argument, unless the argument is null (no filter). */
    private static void filter(StringBuilder sql, List<Object> args, String condition, Object arg) {
        if (arg != null) {
            sql.append(" AND ").append(condition);
            args.add(arg);
        }
    }

    /** A position in the history list: the creation time and id of the last row shown, as opaque URL-safe text. */
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
}
