package io.canaryjudge.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The summary of an analysis as JSON — a history list item, and the head of {@code GET /api/v1/analyses/{id}} —
 * written straight to a Jackson generator: no tree of nodes per row, field names encoded once, instants formatted
 * without {@code DateTimeFormatter}. One writer for both endpoints keeps them identical field for field.
 */
final class AnalysisJson {
    private static final SerializedString ITEMS = name("items");
    private static final SerializedString NEXT_CURSOR = name("nextCursor");
    private static final SerializedString ID = name("id");
    private static final SerializedString EVENT_ID = name("eventId");
    private static final SerializedString DEPLOYMENT_ID = name("deploymentId");
    private static final SerializedString NAMESPACE = name("namespace");
    private static final SerializedString SERVICE = name("service");
    private static final SerializedString ENVIRONMENT = name("environment");
    private static final SerializedString TEMPLATE = name("template");
    private static final SerializedString PHASE = name("phase");
    private static final SerializedString VERDICT = name("verdict");
    private static final SerializedString SCORE = name("score");
    private static final SerializedString REASON = name("reason");
    private static final SerializedString CANARY = name("canary");
    private static final SerializedString STABLE = name("stable");
    private static final SerializedString DIGEST = name("digest");
    private static final SerializedString STARTED_AT = name("startedAt");
    private static final SerializedString INTERVAL = name("interval");
    private static final SerializedString MEASUREMENT_COUNT = name("measurementCount");
    private static final SerializedString CREATED_AT = name("createdAt");
    private static final SerializedString COMPLETED_AT = name("completedAt");
    private static final SerializedString PUBLISHED_AT = name("publishedAt");
    private static final SerializedString[] PHASES = new SerializedString[Phase.values().length];
    /** The usual measurement intervals (whole minutes up to an hour) as their ISO-8601 text. */
    private static final String[] MINUTES = new String[61];

    static {
        for (Phase p : Phase.values()) {
            PHASES[p.ordinal()] = new SerializedString(p.name());
        }
        for (int m = 0; m < MINUTES.length; m++) {
            MINUTES[m] = Duration.ofMinutes(m).toString();
        }
    }

    private AnalysisJson() {
    }

    private static SerializedString name(String s) {
        return new SerializedString(s);
    }

    /** {@code {"items":[summary...],"nextCursor":...}} as UTF-8 bytes. */
    static byte[] page(JsonFactory factory, AnalysisStore.Page page) {
        PageBuffer out = PAGE_BUFFER.get();
        out.reset();
        char[] scratch = out.scratch;
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(ITEMS);
            g.writeStartArray();
            for (AnalysisRecord a : page.items()) {
                g.writeStartObject();
                summaryFields(g, a, scratch);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName(NEXT_CURSOR);
            g.writeString(page.nextCursor());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        if (out.capacity() > PageBuffer.KEEP_AT_MOST) {
            PAGE_BUFFER.remove(); // an unusually large page (limit=500): do not keep its buffer on the thread
        }
        return bytes;
    }

    /**
     * Each request thread writes its pages into one reused buffer and copies out the exact bytes: a new buffer per
     * page (sized by guess, grown by doubling, then copied) was the largest share of the history endpoint's allocation,
     * and its young collections showed in the endpoint's p99 under load (BENCHMARKS.md).
     */
    private static final ThreadLocal<PageBuffer> PAGE_BUFFER = ThreadLocal.withInitial(PageBuffer::new);

    private static final class PageBuffer extends ByteArrayOutputStream {
        static final int KEEP_AT_MOST = 1 << 20;
        final char[] scratch = new char[32];

        PageBuffer() {
            super(64 * 1024); // room for a page of summaries at the default limit without growing
        }

        int capacity() {
            return buf.length;
        }
    }

    /** The summary's fields, in the documented order, into the object the generator is in. */
    static void summaryFields(JsonGenerator g, AnalysisRecord a, char[] scratch) throws IOException {
        string(g, ID, a.id());
        string(g, EVENT_ID, a.eventId());
        string(g, DEPLOYMENT_ID, a.deploymentId());
        string(g, NAMESPACE, a.namespace());
        string(g, SERVICE, a.service());
        string(g, ENVIRONMENT, a.environment());
        string(g, TEMPLATE, a.template());
        g.writeFieldName(PHASE);
        g.writeString(PHASES[a.phase().ordinal()]);
        string(g, VERDICT, a.verdict() == null ? null : a.verdict().name());
        g.writeFieldName(SCORE);
        if (a.score() == null) {
            g.writeNull();
        } else {
            g.writeNumber(a.score().doubleValue());
        }
        string(g, REASON, a.reason());
        digest(g, CANARY, a.canaryDigest());
        digest(g, STABLE, a.stableDigest());
        instant(g, STARTED_AT, a.startedAt(), scratch);
        string(g, INTERVAL, duration(a.interval()));
        g.writeFieldName(MEASUREMENT_COUNT);
        g.writeNumber(a.measurementCount());
        instant(g, CREATED_AT, a.createdAt(), scratch);
        instant(g, COMPLETED_AT, a.completedAt(), scratch);
        instant(g, PUBLISHED_AT, a.publishedAt(), scratch);
    }

    private static void string(JsonGenerator g, SerializableString field, String value) throws IOException {
        g.writeFieldName(field);
        g.writeString(value); // null is written as JSON null
    }

    private static void digest(JsonGenerator g, SerializableString field, String digest) throws IOException {
        g.writeFieldName(field);
        g.writeStartObject();
        string(g, DIGEST, digest);
        g.writeEndObject();
    }

    private static void instant(JsonGenerator g, SerializableString field, Instant t, char[] scratch) throws IOException {
        g.writeFieldName(field);
        if (t == null) {
            g.writeNull();
            return;
        }
        int n = isoInstant(t, scratch);
        if (n < 0) {
            g.writeString(t.toString());
        } else {
            g.writeString(scratch, 0, n);
        }
    }

    private static String duration(Duration d) {
        if (d.getNano() == 0 && d.getSeconds() % 60 == 0) {
            long m = d.getSeconds() / 60;
            if (m >= 0 && m < MINUTES.length) {
                return MINUTES[(int) m];
            }
        }
        return d.toString();
    }

    /**
     * Writes {@code t} exactly as {@link Instant#toString()} does (ISO-8601 UTC, seconds always, fraction in groups
     * of three digits, trailing 'Z') into {@code buf} (at least 30 chars) and returns the length, or -1 outside the
     * years 0000–9999, which the caller leaves to {@code Instant.toString()}.
     */
    static int isoInstant(Instant t, char[] buf) {
        long seconds = t.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms")
        long z = days + 719_468L;
        long era = (z >= 0 ? z : z - 146_096L) / 146_097L;
        long doe = z - era * 146_097L;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9999) {
            return -1;
        }
        int y = (int) year;
        buf[0] = (char) ('0' + y / 1000);
        buf[1] = (char) ('0' + y / 100 % 10);
        buf[2] = (char) ('0' + y / 10 % 10);
        buf[3] = (char) ('0' + y % 10);
        buf[4] = '-';
        two(buf, 5, month);
        buf[7] = '-';
        two(buf, 8, day);
        buf[10] = 'T';
        two(buf, 11, secondOfDay / 3600);
        buf[13] = ':';
        two(buf, 14, secondOfDay / 60 % 60);
        buf[16] = ':';
        two(buf, 17, secondOfDay % 60);
        int n = 19;
        int nano = t.getNano();
        if (nano > 0) {
            buf[n++] = '.';
            int digits;
            int value;
            if (nano % 1_000_000 == 0) {
                digits = 3;
                value = nano / 1_000_000;
            } else if (nano % 1000 == 0) {
                digits = 6;
                value = nano / 1000;
            } else {
                digits = 9;
                value = nano;
            }
            for (int i = n + digits - 1; i >= n; i--) {
                buf[i] = (char) ('0' + value % 10);
                value /= 10;
            }
            n += digits;
        }
        buf[n++] = 'Z';
        return n;
    }

    private static void two(char[] buf, int at, int v) {
        buf[at] = (char) ('0' + v / 10);
        buf[at + 1] = (char) ('0' + v % 10);
    }
}
