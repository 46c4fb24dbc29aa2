package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The template inputs of mode: sequential: histogram buckets, threshold metrics, fast mode. */
class SequentialInputsParsingTest {
    private static final String BUCKETS = """
            name: hist
            interval: 1m
            count: 5
            mode: sequential
            metrics:
              - name: latency
                kind: continuous
                buckets: http_server_requests_seconds_bucket{ {{cohort}} }
                critical: true
            """;

    private static AnalysisTemplate parse(String yaml) {
        return TemplateParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String rejected(String yaml) {
        return assertThrows(TemplateException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void continuousMetricMayGiveBucketsInsteadOfOrBesidesQuery() {
        MetricTemplate m = parse(BUCKETS).metrics().get(0);
        assertEquals("http_server_requests_seconds_bucket{ {{cohort}} }", m.buckets());
        assertNull(m.query());
        MetricTemplate both = parse(BUCKETS.replace("    critical: true", "    critical: true\n"
                + "    query: histogram_quantile(0.99, sum by (le) (rate(x_bucket{ {{cohort}} }[{{step}}])))"))
                .metrics().get(0);
        assertTrue(both.query().startsWith("histogram_quantile"));
    }

    @Test
    void bucketsMustBeAPlainSelectorWithCohort() {
        String msg = rejected(BUCKETS.replace("buckets: http_server_requests_seconds_bucket{ {{cohort}} }",
                "buckets: sum by (le) (increase(http_server_requests_seconds_bucket{ {{cohort}} }[{{interval}}]))"));
        assertTrue(msg.startsWith("t.yaml:8: metrics[0].buckets: must be a plain series selector"), msg);
        msg = rejected(BUCKETS.replace("{ {{cohort}} }", "{job=\"x\"}"));
        assertTrue(msg.contains("metrics[0].buckets: must use {{cohort}}"), msg);
    }

    @Test
    void bucketsOnlyForContinuousMetricsInSequentialMode() {
        String msg = rejected(BUCKETS.replace("mode: sequential\n", "mode: fixed\n"));
        assertTrue(msg.contains("metrics[0].buckets: only with mode: sequential"), msg);
        msg = rejected(BUCKETS.replace("kind: continuous", "kind: threshold"));
        assertTrue(msg.contains("metrics[0].buckets: histogram buckets belong to continuous metrics"), msg);
        msg = rejected(BUCKETS.replace("kind: continuous", "kind: counts"));
        assertTrue(msg.contains("metrics[0]"), msg);
        msg = rejected(BUCKETS.replace("    buckets: http_server_requests_seconds_bucket{ {{cohort}} }\n", ""));
        assertTrue(msg.contains("metrics[0]"), msg);
    }

    @Test
    void thresholdMetricsAreAcceptedInSequentialMode() {
        AnalysisTemplate t = parse(BUCKETS.replace("kind: continuous", "kind: threshold")
                .replace("buckets: http_server_requests_seconds_bucket{ {{cohort}} }", "query: x{ {{cohort}} }\n"
                        + "    thresholds: {quantile: 0.99, upper: 0.5}"));
        assertEquals(MetricTemplate.MetricKindName.THRESHOLD, t.metrics().get(0).kind());
        assertEquals(0.5, t.metrics().get(0).thresholds().upper());
    }

    @Test
    void fastModeIsATemplateLevelOptInFrozenInTheSequentialConfig() {
        AnalysisTemplate t = parse(BUCKETS.replace("mode: sequential\n", "mode: sequential\nsequential: {fastMode: true, vOpt: 3}\n"));
        assertTrue(t.sequential().fastMode());
        assertEquals(3, t.sequential().vOpt());
        assertTrue(!parse(BUCKETS).sequential().fastMode(), "off by default");
        String msg = rejected(BUCKETS.replace("mode: sequential\n", "mode: sequential\nsequential: {vOpt: 3}\n"));
        assertTrue(msg.contains("sequential.vOpt: tunes fast mode only"), msg);
        msg = rejected(BUCKETS.replace("mode: sequential\n", "mode: sequential\nsequential: {fastMode: yes please}\n"));
        assertTrue(msg.contains("fastMode"), msg);
    }

    private static final String COUNTERS = """
            name: exact
            interval: 1m
            count: 5
            mode: sequential
            metrics:
              - name: errors
                kind: counts
                eventsCounter: requests_total{ {{cohort}}, code=~"5.." }
                exposureCounter: requests_total{ {{cohort}} }
                critical: true
            """;

    @Test
    void countsMayComeFromRawCounters() {
        MetricTemplate m = parse(COUNTERS).metrics().get(0);
        assertTrue(m.rawCounters());
        assertEquals("requests_total{ {{cohort}} }", m.exposureCounter());
        String msg = rejected(COUNTERS.replace("eventsCounter: requests_total{ {{cohort}}, code=~\"5..\" }",
                "eventsCounter: sum(increase(requests_total{ {{cohort}}, code=~\"5..\" }[1m]))"));
        assertTrue(msg.startsWith("t.yaml:8: metrics[0].eventsCounter: must be a plain series selector"), msg);
        msg = rejected(COUNTERS.replace("mode: sequential\n", "mode: fixed\n"));
        assertTrue(msg.contains("metrics[0].eventsCounter: only with mode: sequential"), msg);
        msg = rejected(COUNTERS.replace("    critical: true", "    critical: true\n    events: e{ {{cohort}} }"));
        assertTrue(msg.contains("metrics[0]"), msg);
        msg = rejected(COUNTERS.replace("    exposureCounter: requests_total{ {{cohort}} }\n", ""));
        assertTrue(msg.contains("metrics[0]"), "both counters are required: " + msg);
    }
}
