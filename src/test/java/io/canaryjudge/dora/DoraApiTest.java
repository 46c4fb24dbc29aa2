package io.canaryjudge.dora;

import io.canaryjudge.judge.Verdict;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.JsonConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.path.json.config.JsonPathConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hand-made history in namespace {@value #NS} over 10 days, figures computed by hand:
 * pay: PROMOTE (lead 9000 s), ABORT (restored 7200 s later by the next PROMOTE), PROMOTE (lead 3900 s),
 * INCONCLUSIVE; cart: PROMOTE (lead 4800 s), ABORT never restored; plus a CANCELLED one, a RUNNING one and a
 * PROMOTE before the window, which do not count.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class DoraApiTest {
    static final String NS = "dora-example";
    static final String SINCE = "2026-10-01T00:00:00Z";
    static final String UNTIL = "2026-10-11T00:00:00Z";
    /** Numbers as doubles, so that the figures compare exactly (the default reads them as floats). */
    private static final RestAssuredConfig DOUBLES = RestAssuredConfig.config()
            .jsonConfig(JsonConfig.jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.DOUBLE));
    private static boolean inserted;

    @Inject
    AnalysisStore store;

    @Inject
    Event<AnalysisFinished> finished;

    @Inject
    DoraMetrics metrics;

    @Inject
    io.canaryjudge.template.TemplateRepository templates;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    @BeforeEach
    void insertHistoryOnce() {
        if (inserted) {
            return;
        }
        insert("pay", "PROMOTE", "2026-10-01T10:00:00Z", "2026-10-01T10:30:00Z", "2026-10-01T08:00:00Z");
        insert("pay", "ABORT", "2026-10-02T10:00:00Z", "2026-10-02T10:05:00Z", null);
        insert("pay", "PROMOTE", "2026-10-02T11:30:00Z", "2026-10-02T12:05:00Z", "2026-10-02T11:00:00Z");
        insert("pay", "INCONCLUSIVE", "2026-10-03T10:00:00Z", "2026-10-03T10:30:00Z", null);
        insert("cart", "PROMOTE", "2026-10-04T00:00:00Z", "2026-10-04T00:20:00Z", "2026-10-03T23:00:00Z");
        insert("cart", "ABORT", "2026-10-05T00:00:00Z", "2026-10-05T00:10:00Z", null);
        insert("cart", null, "2026-10-06T00:00:00Z", "2026-10-06T00:10:00Z", null);
        insert("cart", null, "2026-10-07T00:00:00Z", null, null);
        insert("cart", "PROMOTE", "2026-09-30T23:00:00Z", "2026-09-30T23:20:00Z", "2026-09-30T22:00:00Z");
        inserted = true;
    }

    private AnalysisRecord insert(String service, String verdict, String started, String completed, String commit) {
        String id = UUID.randomUUID().toString();
        Phase phase = verdict == null ? (completed == null ? Phase.RUNNING : Phase.CANCELLED) : Phase.of(Verdict.valueOf(verdict));
        String event = commit == null ? "{}" : "{\"commitTime\":\"" + commit + "\"}";
        Instant done = completed == null ? null : Instant.parse(completed);
        // a running analysis must stay running while the figures are read: a readable template whose first
        // measurement is years away (an unreadable one is ended by the engine's sweep, which would make it judged)
        String template = "{}";
        if (phase == Phase.RUNNING) {
            event = """
                    {"id":"dora-%s","type":"STARTED","deploymentId":"%s-1","namespace":"%s","service":"%s",
                     "template":"http-golden-signals","canary":{"digest":"sha256:%s","labels":{"track":"canary"}},
                     "stable":{"digest":"sha256:%s","labels":{"track":"stable"}},"startedAt":"%s"}
                    """.formatted(id, service, NS, service, "c".repeat(64), "b".repeat(64), started);
            com.fasterxml.jackson.databind.node.ObjectNode t = json.valueToTree(templates.find("http-golden-signals")
                    .orElseThrow());
            t.set("initialDelay", json.valueToTree(Duration.ofDays(3650)));
            template = t.toString();
            try { // what the engine reads when it resumes the analysis
                assertTrue(json.readValue(template, io.canaryjudge.template.AnalysisTemplate.class).initialDelay()
                        .toDays() >= 3650);
                json.readValue(event, io.canaryjudge.event.DeploymentEvent.class);
            } catch (java.io.IOException e) {
                throw new AssertionError("the running fixture must stay readable", e);
            }
        }
        AnalysisRecord a = AnalysisRecordBuilder.analysis().id(id).eventId("dora-" + id).deploymentId(service + "-1")
                .namespace(NS).service(service).eventJson(event).templateJson(template)
                .startedAt(Instant.parse(started)).phase(phase).verdict(verdict).created(Instant.parse(started))
                .completedAt(done).publishedAt(done).build();
        store.insertIfAbsent(a);
        return a;
    }

    @Test
    void figuresOfAHandMadeHistoryAreExact() {
        given().config(DOUBLES).queryParam("namespace", NS).queryParam("since", SINCE).queryParam("until", UNTIL)
                .get("/api/v1/dora").then().statusCode(200)
                .body("since", equalTo(SINCE)).body("until", equalTo(UNTIL))
                .body("overall.deployments", equalTo(6))
                .body("overall.promoted", equalTo(3))
                .body("overall.failed", equalTo(2))
                .body("overall.deploymentsPerDay", equalTo(0.3))
                .body("overall.changeFailureRate", equalTo(2.0 / 6))
                .body("overall.leadTime.count", equalTo(3))
                .body("overall.leadTime.medianSeconds", equalTo(4800.0))
                .body("overall.leadTime.meanSeconds", equalTo(5900.0))
                .body("overall.timeToRestore.count", equalTo(1))
                .body("overall.timeToRestore.medianSeconds", equalTo(7200.0))
                .body("overall.restoredByRollForward", equalTo(1))
                .body("overall.restoredByRollback", equalTo(0))
                .body("overall.unrestored", equalTo(1))
                .body("services", hasSize(2))
                .body("services[0].service", equalTo("cart"))
                .body("services[0].figures.deployments", equalTo(2))
                .body("services[0].figures.changeFailureRate", equalTo(0.5))
                .body("services[0].figures.deploymentsPerDay", equalTo(0.1))
                .body("services[0].figures.timeToRestore.medianSeconds", nullValue())
                .body("services[0].figures.unrestored", equalTo(1))
                .body("services[1].service", equalTo("pay"))
                .body("services[1].figures.deployments", equalTo(4))
                .body("services[1].figures.changeFailureRate", equalTo(0.25))
                .body("services[1].figures.leadTime.medianSeconds", equalTo(6450.0))
                .body("services[1].figures.timeToRestore.medianSeconds", equalTo(7200.0));
    }

    @Inject
    RollbackTimes rollbacks;

    @Inject
    DoraConfig config;

    @Inject
    @org.eclipse.microprofile.health.Readiness
    io.canaryjudge.verdict.Migrations migrations;

    @Test
    void moreJudgedAnalysesThanOneReportMayReadAreRefused() {
        Instant since = Instant.parse(SINCE);
        Instant until = Instant.parse(UNTIL);
        long[] judged = {0}; // 6 of the hand-made history, 7 once the metrics test here added its deployment
        store.forEachJudged(NS, null, since, j -> judged[0]++);
        int all = (int) judged[0];
        assertEquals(6, new DoraService(store, rollbacks, all).report(NS, null, since, until).overall().deployments());
        DoraService.TooManyDeployments e = assertThrows(DoraService.TooManyDeployments.class,
                () -> new DoraService(store, rollbacks, all - 1).report(NS, null, since, until));
        assertTrue(e.getMessage().startsWith("more than canary.dora.max-deployments = " + (all - 1) + " judged analyses "
                + "since 2026-10-01T00:00:00Z in dora-example"), e.getMessage());
        assertEquals(4, new DoraService(store, rollbacks, 5).report(NS, "pay", since, until).overall()
                .deployments(), "a filter brings it under the limit");
        // the gauges show NaN (and the log a warning) rather than stale figures or a heap full of rows
        Clock at = Clock.fixed(until, ZoneOffset.UTC);
        SimpleMeterRegistry limited = new SimpleMeterRegistry();
        new DoraMetrics(new DoraService(store, rollbacks, 0), config, limited, at, migrations).refresh();
        assertTrue(Double.isNaN(limited.get("canary.dora.deployments.per.day").gauge().value()));
        SimpleMeterRegistry enough = new SimpleMeterRegistry();
        new DoraMetrics(new DoraService(store, rollbacks, 1_000_000), config, enough, at, migrations).refresh();
        assertTrue(enough.get("canary.dora.deployments.per.day").gauge().value() > 0);
    }

    @Test
    void serviceFilterLimitsTheOverallFigures() {
        given().config(DOUBLES).queryParam("namespace", NS).queryParam("service", "cart").queryParam("since", SINCE)
                .queryParam("until", UNTIL).get("/api/v1/dora").then().statusCode(200)
                .body("overall.deployments", equalTo(2)).body("overall.promoted", equalTo(1))
                .body("services", hasSize(1));
    }

    @Test
    void badTimeIsAProblemNamingTheParameter() {
        given().queryParam("since", "last week").get("/api/v1/dora").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("since"));
        given().queryParam("since", UNTIL).queryParam("until", SINCE).get("/api/v1/dora").then().statusCode(400)
                .contentType("application/problem+json").body("detail", equalTo("since must be before until"));
    }

    @Test
    void verdictsAndLeadTimeAreExportedAtQMetrics() {
        // after the window of the other tests, so their figures stay as computed by hand
        AnalysisRecord promoted = insert("ledger", "PROMOTE", "2026-10-20T00:00:00Z", "2026-10-20T00:30:00Z",
                "2026-10-19T23:00:00Z");
        finished.fire(new AnalysisFinished(promoted));
        metrics.refresh();
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("canary_verdicts_total{namespace=\"" + NS + "\",service=\"ledger\",verdict=\"PROMOTE\"} 1.0"))
                .body(containsString("canary_dora_lead_time_seconds_sum{namespace=\"" + NS + "\",service=\"ledger\"} 5400.0"))
                .body(containsString("canary_dora_deployments_per_day "))
                .body(containsString("canary_dora_change_failure_rate "))
                .body(containsString("canary_dora_lead_time_median_seconds "))
                .body(containsString("canary_dora_time_to_restore_median_seconds "));
    }
}
