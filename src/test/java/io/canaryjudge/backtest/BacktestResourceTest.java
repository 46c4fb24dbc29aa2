package io.canaryjudge.backtest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.FaultyProxy;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Backtests over the real Prometheus backfilled with the demo workload: every service has stable data from
 * S − 15 min to S + 30 min (S = {@code canary.test.started-at}); the test profile reads it in chunks of 40
 * points, so a backtest joins several range queries per query and cohort.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class BacktestResourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** interval × count of the aa-fixed and aa-sequential test templates. */
    private static final Duration WINDOW = Duration.ofMinutes(4);
    /** R 4.2: binom.test(0, 11)$conf.int[2] and binom.test(0, 10)$conf.int[2], printed with digits = 17. */
    private static final double R_UPPER_0_OF_11 = 0.28491415291815436;
    private static final double R_UPPER_0_OF_10 = 0.30849710781876083;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @ConfigProperty(name = "canary.prometheus.url")
    String proxyUrl;

    static String stable(String service) {
        return "{\"namespace\":\"shop\",\"service\":\"" + service + "\",\"track\":\"stable\"}";
    }

    private static String canary(String service) {
        return "{\"namespace\":\"shop\",\"service\":\"" + service + "\",\"track\":\"canary\"}";
    }

    private static JsonNode post(String body) throws Exception {
        return JSON.readTree(given().contentType("application/json").body(body).post("/api/v1/backtests")
                .then().statusCode(200).contentType("application/json").extract().asString());
    }

    private static JsonNode problem(String body) throws Exception {
        return JSON.readTree(given().contentType("application/json").accept("text/plain").body(body)
                .post("/api/v1/backtests").then().statusCode(400).contentType("application/problem+json")
                .extract().asString());
    }

    /** cart's stable pods against checkout's: two disjoint selectors of stable data with the same behaviour. */
    static String aaCohorts(String template, Instant from, Instant to) {
        return """
                {"kind":"aa","template":"%s","namespace":"shop","service":"cart",
                 "cohorts":{"a":{"labels":%s},"b":{"labels":%s}},"from":"%s","to":"%s"}
                """.formatted(template, stable("cart"), stable("checkout"), from, to);
    }

    private static String aaOffset(String template, Instant from, Instant to) {
        return """
                {"kind":"aa","template":"%s","namespace":"shop","service":"cart","labels":%s,"from":"%s","to":"%s"}
                """.formatted(template, stable("cart"), from, to);
    }

    private String replay(String template, String service) {
        return """
                {"kind":"replay","template":"%s","namespace":"shop","service":"%s",
                 "canary":{"labels":%s},"stable":{"labels":%s},"startedAt":"%s"}
                """.formatted(template, service, canary(service), stable(service), startedAt);
    }

    Instant from() {
        return startedAt.minus(Duration.ofMinutes(14));
    }

    Instant to() {
        return startedAt.plus(Duration.ofMinutes(30));
    }

    private static int points(Duration span) {
        return (int) (span.toSeconds() / 30) + 1;
    }

    private static int chunks(Duration span) {
        return (points(span) + 39) / 40;
    }

    @Test
    void aaOfTwoStableSelectorsInSequentialModeHasNoAbortAndRsUpperBound() throws Exception {
        JsonNode r = post(aaCohorts("aa-sequential", from(), to()));
        // 44 minutes hold 11 whole windows of 2m × 2
        int n = (int) (Duration.between(from(), to()).toMillis() / WINDOW.toMillis());
        assertEquals(11, n);
        assertEquals(n, r.path("windows").asInt(), r.toPrettyString());
        assertEquals("sequential", r.path("mode").asText());
        assertEquals("cohorts", r.path("method").asText());
        assertEquals("240s", r.path("windowDuration").asText());
        assertEquals("0s", r.path("offset").asText());
        assertEquals(0, r.path("verdicts").path("ABORT").asInt());
        assertEquals(n, r.path("verdicts").path("PROMOTE").asInt() + r.path("verdicts").path("INCONCLUSIVE").asInt());
        JsonNode rate = r.path("falseAbortRate");
        assertEquals(0, rate.path("aborts").asInt());
        assertEquals(0.0, rate.path("estimate").asDouble());
        assertEquals(0.0, rate.path("lower").asDouble());
        assertEquals(R_UPPER_0_OF_11, rate.path("upper").asDouble(), 1e-12);
        assertEquals(1 - Math.pow(0.025, 1.0 / n), rate.path("upper").asDouble(), 1e-12);
        assertEquals(0.95, rate.path("confidenceLevel").asDouble());
        assertEquals(0.05, r.path("alpha").asDouble());
        assertTrue(r.path("comparison").asText().contains("alpha is 0.05 per test; with 2 critical test(s)"),
                r.path("comparison").asText());
        JsonNode windows = r.path("windowResults");
        assertEquals(n, windows.size());
        for (int k = 0; k < n; k++) {
            JsonNode w = windows.get(k);
            assertEquals(from().plus(WINDOW.multipliedBy(k)).toString(), w.path("start").asText());
            assertEquals(from().plus(WINDOW.multipliedBy(k + 1)).toString(), w.path("end").asText());
            assertTrue(w.path("failedMetrics").isEmpty(), w.toPrettyString());
        }
        for (JsonNode m : r.path("metrics")) {
            assertEquals(0, m.path("failedWindows").asInt(), m.toPrettyString());
            assertEquals(0, m.path("abortWindows").asInt(), m.toPrettyString());
        }
        // one read per query (events, exposure, latency, memory) and cohort, in chunks of 40 points, over the windows
        // and the 2 intervals of 2 minutes the last analysis may run past its count (maxCount = 2 x count)
        assertEquals(4 * 2 * chunks(WINDOW.multipliedBy(n).plus(Duration.ofMinutes(4))),
                r.path("prometheusQueries").asInt());
    }

    @Test
    void aaOfOneCohortAgainstItselfOneWindowEarlier() throws Exception {
        // the stable side reads 4 minutes earlier, so the first window starts 4 minutes after the data
        Instant from = startedAt.minus(Duration.ofMinutes(11));
        JsonNode r = post(aaOffset("aa-sequential", from, to()));
        int n = (int) (Duration.between(from, to()).toMillis() / WINDOW.toMillis());
        assertEquals(10, n);
        assertEquals(n, r.path("windows").asInt(), r.toPrettyString());
        assertEquals("offset", r.path("method").asText());
        assertEquals("240s", r.path("offset").asText(), "default offset: one window");
        assertEquals(from.plus(WINDOW.multipliedBy(n)).toString(), r.path("to").asText(), "whole windows only");
        assertEquals(0, r.path("verdicts").path("ABORT").asInt());
        assertEquals(R_UPPER_0_OF_10, r.path("falseAbortRate").path("upper").asDouble(), 1e-12);
    }

    @Test
    void aaInFixedModeHasNoAbort() throws Exception {
        JsonNode r = post(aaCohorts("aa-fixed", from(), to()));
        assertEquals("fixed", r.path("mode").asText());
        assertEquals(11, r.path("windows").asInt());
        assertEquals(0, r.path("verdicts").path("ABORT").asInt(), r.toPrettyString());
        assertTrue(r.path("alpha").isNull());
        assertTrue(r.path("comparison").asText().startsWith("0 ABORT in 11 stable-vs-stable windows"),
                r.path("comparison").asText());
        assertTrue(r.path("comparison").asText().contains("Fixed mode guarantees no false-abort level"));
    }

    @Test
    void textReportForAa() {
        String text = given().contentType("application/json").accept("text/plain")
                .body(aaCohorts("aa-sequential", from(), to())).post("/api/v1/backtests")
                .then().statusCode(200).contentType("text/plain").extract().asString();
        assertTrue(text.startsWith("A/A backtest of template aa-sequential (sequential mode) on shop/cart"), text);
        assertTrue(text.contains("windows: 11 of 240s, " + from() + " to " + to()), text);
        assertTrue(text.contains("false-abort rate: 0/11 = 0.0000, 95% CI [0.0000, 0.2849]"), text);
        assertTrue(text.contains("template alpha: 0.05"), text);
        assertTrue(text.contains("     1  " + from() + "  " + from().plus(WINDOW)), text);
    }

    /** A window of an A/A backtest is exactly the live analysis of the same cohorts started at the window's start. */
    @Test
    void aaWindowEqualsTheLiveAnalysisOfThatWindow() throws Exception {
        // aa-fixed/aa-sequential window 5 is [S + 2 min, S + 6 min]: its points straddle the first 40-point
        // chunk's end; aa-offgrid window 2 starts 200 s after from, off the 30 s grid: read by its own queries
        Object[][] cases = {{"aa-fixed", 4}, {"aa-sequential", 4}, {"aa-offgrid", 1}};
        for (Object[] c : cases) {
            String template = (String) c[0];
            JsonNode r = post(aaCohorts(template, from(), to()));
            JsonNode w = r.path("windowResults").get((int) c[1]);
            Instant start = Instant.parse(w.path("start").asText());
            String event = """
                    {"id":"aa-live-%s-%d","type":"canary.started","deploymentId":"aa-1","namespace":"shop","service":"cart",
                     "template":"%s","canary":{"digest":"sha256:%s","labels":%s},
                     "stable":{"digest":"sha256:%s","labels":%s},
                     "target":{"kind":"Deployment","name":"cart","container":"app"},"startedAt":"%s"}
                    """.formatted(template, System.nanoTime(), template, "c".repeat(64), stable("cart"), "b".repeat(64),
                    stable("checkout"), start);
            JsonNode live = live(event);
            assertEquals(live.path("verdict").asText(), w.path("verdict").asText(), template);
            assertEquals(live.path("reason").asText(), w.path("reason").asText(), template);
            assertEquals(live.path("measurements").size(), w.path("decidedAt").asInt(), template);
            if (template.equals("aa-offgrid")) {
                // 13 windows of 200 s; reads off the grid are sent one by one
                assertEquals(13, r.path("windows").asInt());
                assertTrue(r.path("prometheusQueries").asInt() > 3 * 2 * chunks(Duration.ofSeconds(13 * 200)),
                        r.path("prometheusQueries").toString());
            }
        }
    }

    private static JsonNode live(String event) throws Exception {
        String location = given().contentType("application/json").body(event).post("/api/v1/analyses")
                .then().statusCode(202).extract().header("Location");
        AtomicReference<JsonNode> done = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            JsonNode a = JSON.readTree(given().get(location).then().statusCode(200).extract().asString());
            done.set(a);
            return !a.path("phase").asText().matches("PENDING|RUNNING");
        });
        return done.get();
    }

    @Test
    void replayGivesTheVerdictOfTheLiveAnalysis() throws Exception {
        // template, service, expected verdict, the metric that fails in an ABORT
        String[][] cases = {
            {"replay-fixed", DemoScenario.BAD_SERVICE, "ABORT", "error-rate"},
            {"replay-fixed", DemoScenario.GOOD_SERVICE, "PROMOTE", null},
            {"seq-http", DemoScenario.BAD_SERVICE, "ABORT", "error-rate"},
            {"seq-http", DemoScenario.GOOD_SERVICE, "PROMOTE", null},
            // sequential inputs read raw at one instant: exact counter increases and histogram buckets
            {"seq-exact-counts", DemoScenario.BAD_SERVICE, "ABORT", "error-rate"},
            {"seq-exact-counts", DemoScenario.GOOD_SERVICE, "PROMOTE", null},
            {"seq-histogram", DemoScenario.BAD_SERVICE, "ABORT", "latency"},
            {"seq-histogram", DemoScenario.GOOD_SERVICE, "PROMOTE", null},
        };
        for (String[] c : cases) {
            JsonNode r = post(replay(c[0], c[1]));
            String what = c[0] + " " + c[1];
            assertEquals(c[2], r.path("verdict").asText(), what + ": " + r.toPrettyString());
            JsonNode live = live(DemoScenario.event("replay-" + c[0] + "-" + c[1] + "-" + System.nanoTime(), c[1],
                    startedAt, c[0], null));
            assertEquals(live.path("verdict").asText(), r.path("verdict").asText(), what);
            assertEquals(live.path("phase").asText(), r.path("phase").asText(), what);
            assertEquals(live.path("reason").asText(), r.path("reason").asText(), what);
            assertEquals(live.path("measurements").size(), r.path("decidedAt").asInt(), what);
            JsonNode liveMetrics = live.path("metrics");
            assertEquals(liveMetrics.size(), r.path("metrics").size(), what);
            for (int i = 0; i < liveMetrics.size(); i++) {
                JsonNode m = r.path("metrics").get(i);
                assertEquals(liveMetrics.get(i).path("name").asText(), m.path("name").asText(), what);
                assertEquals(liveMetrics.get(i).path("classification").asText(), m.path("classification").asText(),
                        what + " " + m.path("name").asText());
                assertEquals(liveMetrics.get(i).path("explanation").asText(), m.path("explanation").asText(),
                        what + " " + m.path("name").asText());
            }
            if (c[3] != null) {
                assertEquals(c[3], r.path("failedMetrics").get(0).asText(), what);
            } else {
                assertTrue(r.path("failedMetrics").isEmpty(), what);
            }
        }
    }

    /** Raw counter reads of the offset side come back moved by the offset, so every window has both cohorts' counts. */
    @Test
    void aaWithExactCountersReadsTheOffsetSideAtItsOwnTime() throws Exception {
        Instant from = startedAt.minus(Duration.ofMinutes(2));
        JsonNode r = post(aaOffset("seq-exact-counts", from, to()));
        // 32 minutes hold 2 windows of 2m x 6; the stable side reads 12 minutes earlier
        assertEquals(2, r.path("windows").asInt(), r.toPrettyString());
        assertEquals("720s", r.path("offset").asText());
        assertEquals(2, r.path("verdicts").path("PROMOTE").asInt(), "no window lacks data: " + r.toPrettyString());
    }

    @Test
    void textReportForReplay() {
        String text = given().contentType("application/json").accept("text/plain")
                .body(replay("replay-fixed", DemoScenario.BAD_SERVICE)).post("/api/v1/backtests")
                .then().statusCode(200).contentType("text/plain").extract().asString();
        assertTrue(text.startsWith("Replay of template replay-fixed (fixed mode) on shop/checkout started "
                + startedAt), text);
        assertTrue(text.contains("verdict: ABORT (phase FAILED) decided at measurement 1 of 10"), text);
        assertTrue(text.contains("error-rate                   HIGH         critical"), text);
        assertTrue(text.contains("Nothing was stored or published; no rollback."), text);
    }

    @Test
    void badInputIsAProblemNamingTheField() throws Exception {
        JsonNode p = problem(aaCohorts("no-such-template", from(), to()));
        assertEquals("template", p.path("errors").get(0).path("field").asText());
        assertTrue(p.path("detail").asText().startsWith("unknown analysis template 'no-such-template'"), p.toString());

        p = problem(aaCohorts("aa-fixed", to(), from()));
        assertEquals("from", p.path("errors").get(0).path("field").asText());
        assertEquals("from must be before to", p.path("detail").asText());

        p = problem(aaCohorts("aa-fixed", from(), from()));
        assertEquals("from must be before to", p.path("detail").asText());

        // 40 hours of 4-minute windows
        p = problem(aaCohorts("aa-fixed", startedAt.minus(Duration.ofHours(40)), startedAt));
        assertEquals("the range holds 600 windows of 240s, more than the limit of 500 per backtest "
                + "(canary.backtest.max-windows); split the range", p.path("detail").asText());

        // 200 windows of 20 minutes at a 1-second step: 240,001 points per query
        p = problem(aaCohorts("aa-finestep", startedAt.minus(Duration.ofMinutes(200 * 20)), startedAt));
        assertEquals("the backtest would read 240001 points per query at step 1s, more than the limit of 200000 "
                + "(canary.backtest.max-points); shorten the range", p.path("detail").asText());

        // 300 windows of 12 minutes, up to 12 looks (maxCount = 2 x count), 2 raw counters, 2 cohorts
        p = problem(aaCohorts("seq-exact-counts", startedAt.minus(Duration.ofHours(60)), startedAt));
        assertEquals("the backtest would send up to 14400 raw Prometheus queries (counter and bucket selectors are read "
                + "once per measurement and cohort), more than the limit of 5000 (canary.backtest.max-raw-queries); "
                + "shorten the range", p.path("detail").asText());

        p = problem("""
                {"kind":"aa","template":"aa-fixed","namespace":"shop","service":"cart","from":"%s","to":"%s"}
                """.formatted(from(), to()));
        assertEquals("labels", p.path("errors").get(0).path("field").asText());
        assertTrue(p.path("detail").asText().startsWith("labels (the stable cohort"), p.toString());

        p = problem("""
                {"kind":"aa","template":"aa-fixed","namespace":"shop","service":"cart",
                 "cohorts":{"a":{"labels":%s}},"from":"%s","to":"%s"}
                """.formatted(stable("cart"), from(), to()));
        assertEquals("cohorts.b.labels", p.path("errors").get(0).path("field").asText());

        p = problem("""
                {"kind":"aa","template":"aa-fixed","namespace":"shop","service":"cart",
                 "cohorts":{"a":{"labels":%s},"b":{"labels":%s}},"from":"%s","to":"%s"}
                """.formatted(stable("cart"), stable("cart"), from(), to()));
        assertEquals("cohorts", p.path("errors").get(0).path("field").asText());
        assertEquals("both sides would read the same series at the same time: give two different cohorts or a "
                + "positive offset", p.path("detail").asText());

        p = problem("""
                {"kind":"aa","template":"aa-fixed","namespace":"shop","service":"cart","labels":%s,"offset":"0s",
                 "from":"%s","to":"%s"}
                """.formatted(stable("cart"), from(), to()));
        assertEquals("offset", p.path("errors").get(0).path("field").asText());

        p = problem(aaCohorts("aa-fixed", from(), from().plus(Duration.ofMinutes(3))));
        assertEquals("the range is shorter than one analysis window of 240s (interval x count of aa-fixed)",
                p.path("detail").asText());

        p = problem(aaCohorts("aa-fixed", from(), Instant.now().plus(Duration.ofHours(1))));
        assertEquals("to", p.path("errors").get(0).path("field").asText());

        p = problem(replay("replay-fixed", "cart").replace(canary("cart"), stable("cart")));
        assertEquals("stable.labels", p.path("errors").get(0).path("field").asText());

        p = problem(replay("replay-fixed", "cart").replace(",\"startedAt\":\"" + startedAt + "\"", ""));
        assertEquals("startedAt", p.path("errors").get(0).path("field").asText());

        p = problem("{\"kind\":\"bb\",\"template\":\"aa-fixed\"}");
        assertEquals("unknown kind 'bb', expected aa or replay", p.path("detail").asText());
    }

    @Test
    void openApiDocumentsTheEndpointAndBothMediaTypes() throws Exception {
        JsonNode api = JSON.readTree(given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().asString());
        JsonNode post = api.path("paths").path("/api/v1/backtests").path("post");
        assertEquals("Run a backtest", post.path("summary").asText(), post.toPrettyString());
        assertTrue(post.path("responses").path("200").path("content").has("text/plain"), post.toPrettyString());
        assertTrue(post.path("responses").path("200").path("content").has("application/json"));
        assertTrue(post.path("responses").path("400").path("content").has("application/problem+json"));
        assertTrue(api.path("components").path("schemas").path("BacktestRequest").path("properties").has("cohorts"));
        assertTrue(api.path("components").path("schemas").path("AaResult").path("properties").has("falseAbortRate"));
        assertTrue(api.path("components").path("schemas").path("ReplayResult").path("properties").has("decidedAt"));
    }

    @Test
    void prometheusDownIsABadGatewayNotAVerdict() throws Exception {
        String marker = "fault_backtest_" + System.nanoTime();
        FaultyProxy.fault(proxyUrl, marker, 0, "503", 0);
        String body = aaCohorts("aa-sequential", from(), to()).replace("\"track\":\"stable\"",
                "\"track\":\"stable\",\"" + marker + "\":\"\"");
        JsonNode p = JSON.readTree(given().contentType("application/json").body(body).post("/api/v1/backtests")
                .then().statusCode(502).contentType("application/problem+json").extract().asString());
        assertEquals("urn:canary-judge:problem:prometheus-unavailable", p.path("type").asText());
        assertTrue(p.path("detail").asText().startsWith("the backtest could not read Prometheus: Prometheus answered 503"),
                p.toString());
    }
}
