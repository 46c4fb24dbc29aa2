package io.canaryjudge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streamed history page: byte for byte the documented list JSON, instants exactly as {@code Instant.toString}. */
class AnalysisJsonTest {

    @Test
    void instantsAreWrittenExactlyAsInstantToString() {
        char[] buf = new char[32];
        SplittableRandom random = new SplittableRandom(8);
        // the years 0000–9999, every fraction shape (none, millis, micros — PostgreSQL's precision — and nanos)
        long lo = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long hi = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(lo, hi + 1);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nano);
            assertEquals(t.toString(), new String(buf, 0, AnalysisJson.isoInstant(t, buf)));
        }
        for (String edge : List.of("1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2000-02-29T12:00:00Z",
                "2026-11-26T13:00:00.100Z", "2026-11-26T13:00:00.000100Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z")) {
            Instant t = Instant.parse(edge);
            assertEquals(edge, new String(buf, 0, AnalysisJson.isoInstant(t, buf)));
        }
        // outside 0000–9999 the writer falls back to Instant.toString
        assertEquals(-1, AnalysisJson.isoInstant(Instant.parse("+10000-01-01T00:00:00Z"), buf));
        assertEquals(-1, AnalysisJson.isoInstant(Instant.parse("-0001-12-31T23:59:59Z"), buf));
    }

    @Test
    void pageIsTheDocumentedListJsonFieldForField() throws Exception {
        AnalysisRecord done = AnalysisRecordBuilder.analysis().id("a1").eventId("evt-1").environment("prod")
                .eventJson("{\"ignored\":1}").templateJson("{\"ignored\":2}")
                .startedAt(Instant.parse("2026-11-26T01:00:00Z"))
                .phase(Phase.FAILED).verdict("ABORT").score(42.5).reason("latency: canary slower \"p99\" \u2192 +12 %")
                .verdictJson("{\"metrics\":[]}").createdAt(Instant.parse("2026-11-26T01:00:00.123456Z"))
                .updatedAt(Instant.parse("2026-11-26T01:10:00Z")).completedAt(Instant.parse("2026-11-26T01:10:00.5Z"))
                .publishedAt(Instant.parse("2026-11-26T01:10:01Z")).build();
        AnalysisRecord running = AnalysisRecordBuilder.analysis().id("a0").eventId("evt-0").deploymentId(null)
                .service("cart").template("t").canaryDigest("sha256:c").stableDigest("sha256:b").eventJson(null)
                .templateJson(null).startedAt(Instant.parse("2026-11-26T00:00:00Z")).interval(Duration.ofSeconds(90))
                .measurementCount(3).phase(Phase.RUNNING).created(Instant.parse("2026-11-26T00:00:00Z")).build();
        ObjectMapper json = new ObjectMapper();
        String page = new String(AnalysisJson.page(json.getFactory(),
                new AnalysisStore.Page(List.of(done, running), "next-1")), StandardCharsets.UTF_8);
        String expected = "{\"items\":["
                + "{\"id\":\"a1\",\"eventId\":\"evt-1\",\"deploymentId\":\"dep-1\",\"namespace\":\"shop\","
                + "\"service\":\"checkout\",\"environment\":\"prod\",\"template\":\"http-golden-signals\","
                + "\"phase\":\"FAILED\",\"verdict\":\"ABORT\",\"score\":42.5,"
                + "\"reason\":\"latency: canary slower \\\"p99\\\" \u2192 +12 %\","
                + "\"canary\":{\"digest\":\"sha256:" + "c".repeat(64) + "\"},"
                + "\"stable\":{\"digest\":\"sha256:" + "b".repeat(64) + "\"},"
                + "\"startedAt\":\"2026-11-26T01:00:00Z\",\"interval\":\"PT1M\",\"measurementCount\":10,"
                + "\"createdAt\":\"2026-11-26T01:00:00.123456Z\",\"completedAt\":\"2026-11-26T01:10:00.500Z\","
                + "\"publishedAt\":\"2026-11-26T01:10:01Z\"},"
                + "{\"id\":\"a0\",\"eventId\":\"evt-0\",\"deploymentId\":null,\"namespace\":\"shop\","
                + "\"service\":\"cart\",\"environment\":null,\"template\":\"t\",\"phase\":\"RUNNING\",\"verdict\":null,"
                + "\"score\":null,\"reason\":null,\"canary\":{\"digest\":\"sha256:c\"},\"stable\":{\"digest\":\"sha256:b\"},"
                + "\"startedAt\":\"2026-11-26T00:00:00Z\",\"interval\":\"PT1M30S\",\"measurementCount\":3,"
                + "\"createdAt\":\"2026-11-26T00:00:00Z\",\"completedAt\":null,\"publishedAt\":null}"
                + "],\"nextCursor\":\"next-1\"}";
        assertEquals(expected, page);
        // the last page has a null cursor, an empty page an empty array
        assertEquals("{\"items\":[],\"nextCursor\":null}", new String(AnalysisJson.page(json.getFactory(),
                new AnalysisStore.Page(List.of(), null)), StandardCharsets.UTF_8));
    }
}
