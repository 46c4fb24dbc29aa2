package io.canaryjudge.ui;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.HeadlessChromium;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web page in a real headless Chromium (Debian's package, over the DevTools protocol): it lists analyses
 * the test created, draws every chart of an analysis, and logs no console error. Screenshots are kept under
 * target/ui-screenshots.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class WebUiTest {
    static final Path SHOTS = Path.of("target", "ui-screenshots");
    static HeadlessChromium browser;

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @BeforeAll
    static void startBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        browser = HeadlessChromium.start(1280, 900);
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void freshPage() {
        browser.navigate("about:blank");
        browser.clearErrors();
    }

    private String analysed(String service, String verdict) {
        return analysed(service, verdict, "http-golden-signals");
    }

    private String analysed(String service, String verdict, String template) {
        String id = given().contentType("application/json")
                .body(DemoScenario.event("ui-" + service + "-" + System.nanoTime(), service, startedAt, template, null))
                .post("/api/v1/analyses").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().get("/api/v1/analyses/" + id)
                .then().statusCode(200).body("verdict", equalTo(verdict)));
        return id;
    }

    @Test
    void listShowsTheTestsAnalysesWithVerdictBadgesAndTheDoraPanel() throws Exception {
        String aborted = analysed("checkout", "ABORT");
        String promoted = analysed("cart", "PROMOTE");
        browser.navigate(root + "#/?namespace=shop");
        browser.waitFor("document.querySelector('tr[data-id=\"" + aborted + "\"]') && document.querySelector('tr[data-id=\""
                + promoted + "\"]')", Duration.ofSeconds(20));
        assertEquals("ABORT", browser.evaluate("document.querySelector('tr[data-id=\"" + aborted
                + "\"] .badge.verdict').textContent").asText());
        assertEquals("PROMOTE", browser.evaluate("document.querySelector('tr[data-id=\"" + promoted
                + "\"] .badge.verdict').textContent").asText());
        browser.waitFor("document.querySelectorAll('#dora .tile').length === 4", Duration.ofSeconds(20));
        assertTrue(browser.evaluate("document.querySelector('#dora .dora-services').innerText").asText()
                .contains("shop/checkout"));
        Files.write(SHOTS.resolve("list.png"), browser.screenshot(0));
        assertEquals(List.of(), browser.errors());
    }

    @Test
    void fixedAnalysisPageDrawsSeriesDistributionAndIntervalOfEveryMetric() throws Exception {
        String id = analysed("cart", "PROMOTE", "http-golden-signals-fixed");
        browser.navigate(root + "#/analyses/" + id);
        browser.waitFor("document.querySelectorAll('article.metric').length === 5", Duration.ofSeconds(20));
        // five metrics, each with a series chart, a distribution (ECDF or box plot) and an interval against tolerance
        assertEquals(10, browser.evaluate("document.querySelectorAll('svg[data-chart=series] polyline').length").asInt());
        assertEquals(8, browser.evaluate("document.querySelectorAll('svg[data-chart=ecdf] path.line').length").asInt());
        assertEquals(1, browser.evaluate("document.querySelectorAll('svg[data-chart=box]').length").asInt());
        assertEquals(5, browser.evaluate("document.querySelectorAll('svg[data-chart=interval] circle.estimate').length").asInt());
        assertEquals(5, browser.evaluate("document.querySelectorAll('svg[data-chart=interval] rect.band').length").asInt());
        assertEquals("Score 100.0 reaches the pass threshold 95.0.",
                browser.evaluate("document.getElementById('reason').textContent").asText());
        assertEquals(0, browser.evaluate("document.querySelectorAll('svg[data-chart=evidence]').length").asInt());
        assertTrue(browser.evaluate("document.getElementById('mode').textContent").asText().startsWith("fixed horizon"));
        Files.write(SHOTS.resolve("analysis-fixed.png"), browser.screenshot(0));
        assertEquals(List.of(), browser.errors());
    }

    @Test
    void sequentialAnalysisPagePlotsEveryTestsEvidenceAgainstTheAbortLine() throws Exception {
        String id = analysed("cart", "PROMOTE");
        browser.navigate(root + "#/analyses/" + id);
        browser.waitFor("document.querySelectorAll('article.metric svg[data-chart=evidence]').length === 4",
                Duration.ofSeconds(20));
        assertTrue(browser.evaluate("document.getElementById('mode').textContent").asText().startsWith("sequential"));
        // one evidence chart per metric, each with the ln(1/α) line, labelled
        assertEquals(4, browser.evaluate("document.querySelectorAll('svg[data-chart=evidence] line.threshold').length").asInt());
        assertEquals(Math.log(20), browser.evaluate("Number(document.querySelector('svg[data-chart=evidence] line.threshold')"
                + ".getAttribute('data-threshold'))").asDouble(), 1e-9);
        assertEquals("evidence line ln(1/α) = 3.00", browser.evaluate(
                "document.querySelector('svg[data-chart=evidence] text.threshold-label').textContent").asText());
        // one line per test, a point per measurement, labelled at its end: the count test with its rule-out and
        // within-tolerance evidence; latency (critical, histogram buckets): the abort, rule-out and within rank tests,
        // the informative p50 and p99 and the tail test; CPU per request and memory (informative): the paired sign test
        int n = given().get("/api/v1/analyses/" + id).then().extract().path("measurements.size()");
        assertTrue(n >= 5 && n <= 10, "promoted early (within tolerance) or at the planned 10: " + n);
        assertEquals("counts,rule-out,within", browser.evaluate("[...document.querySelectorAll("
                + "'article[data-metric=\"error-rate\"] path.evidence')].map(p => p.dataset.test).join()").asText());
        assertEquals("ranks,rule-out,within,quantile p50,quantile p99,tail", browser.evaluate("[...document.querySelectorAll("
                + "'article[data-metric=\"latency\"] path.evidence')].map(p => p.dataset.test).join()").asText());
        assertEquals("sign", browser.evaluate("[...document.querySelectorAll("
                + "'article[data-metric=\"cpu-per-request\"] path.evidence')].map(p => p.dataset.test).join()").asText());
        assertEquals(11, browser.evaluate("document.querySelectorAll('path.evidence').length").asInt());
        assertEquals(11, browser.evaluate("[...document.querySelectorAll('path.evidence')]"
                + ".filter(p => p.dataset.points === '" + n + "' && p.getAttribute('d').split('L').length === " + n
                + ").length").asInt());
        assertEquals(11, browser.evaluate("document.querySelectorAll('svg[data-chart=evidence] text.line-label').length").asInt());
        // the data the tests were fed: every interval's points (4 metrics x 2 cohorts), and the rate ratio's confidence sequence
        assertEquals(8, browser.evaluate("document.querySelectorAll('svg[data-chart=series] polyline').length").asInt());
        assertEquals(1, browser.evaluate("document.querySelectorAll('svg[data-chart=interval] circle.estimate').length").asInt());
        assertTrue(browser.evaluate("document.getElementById('reason').textContent").asText()
                .startsWith("PROMOTE"));
        Files.write(SHOTS.resolve("analysis.png"), browser.screenshot(0));
        Files.write(SHOTS.resolve("analysis-top.png"), browser.screenshot(1100));
        assertEquals(List.of(), browser.errors());
    }

    @Test
    void abortedAnalysisShowsItsReasonAndTheDecisionControlReportsHttpErrors() throws Exception {
        String id = analysed("checkout", "ABORT");
        browser.navigate(root + "#/analyses/" + id);
        browser.waitFor("document.getElementById('reason') && document.querySelector('#decision button.abort')",
                Duration.ofSeconds(20));
        assertTrue(browser.evaluate("document.getElementById('reason').textContent").asText()
                .startsWith("ABORT: error-rate "));
        assertEquals("HIGH", browser.evaluate("document.querySelector('article[data-metric=\"error-rate\"] .badge.class')"
                + ".textContent").asText());
        // aborted at the first measurement: the error rate's evidence is one point above the abort line
        browser.waitFor("document.querySelector('article[data-metric=\"error-rate\"] path.evidence')", Duration.ofSeconds(10));
        assertEquals("1", browser.evaluate("document.querySelector('article[data-metric=\"error-rate\"] path.evidence')"
                + ".dataset.points").asText());
        assertTrue(browser.evaluate("(() => { const s = document.querySelector('article[data-metric=\"error-rate\"] "
                + "svg[data-chart=evidence]'); return Number(s.querySelector('circle').getAttribute('cy'))"
                + " < Number(s.querySelector('line.threshold').getAttribute('y1')); })()").asBoolean(),
                "the point lies above the threshold line");
        Files.write(SHOTS.resolve("aborted.png"), browser.screenshot(0));
        assertEquals(List.of(), browser.errors());
        // the decision endpoint answers an error here (not this service's key): the page shows the HTTP status
        browser.evaluate("document.querySelector('#decision input[name=apiKey]').value = 'not-a-key';"
                + "document.querySelector('#decision input[name=reason]').value = 'checked by hand';"
                + "document.querySelector('#decision button.abort').click(); true");
        browser.waitFor("/HTTP 4\\d\\d/.test(document.getElementById('decision-result').textContent)", Duration.ofSeconds(10));
        assertEquals("not-a-key", browser.evaluate("sessionStorage.getItem('canary-judge.apiKey')").asText());
    }
}
