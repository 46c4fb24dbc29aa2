package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TemplateParserTest {
    private static final String VALID = """
            name: minimal
            interval: 1m
            count: 5
            metrics:
              - name: errors
                kind: counts
                events: sum(increase(errors_total{ {{cohort}} }[{{step}}]))
                exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))
                approximateCounts: true
                critical: true
            """;

    private static AnalysisTemplate parse(String yaml) {
        return TemplateParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String rejected(String yaml) {
        return assertThrows(TemplateException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void validTemplateHasDefaults() {
        AnalysisTemplate t = parse(VALID);
        assertEquals(Duration.ofMinutes(1), t.interval());
        assertEquals(Duration.ofMinutes(1), t.step());
        assertEquals(95, t.pass());
        assertEquals(75, t.marginal());
        assertTrue(t.metrics().get(0).isCritical());
        assertTrue(t.metrics().get(0).isMustHaveData());
    }

    @Test
    void warmUpSampleIsAValidTemplate() {
        // the start-up warm-up (TemplateRepository.warmUpInBackground) must go through the whole parser, schema
        // included, or it would warm only the error path
        AnalysisTemplate t = TemplateParser.parse("warm-up.yaml",
                TemplateRepository.WARM_UP.getBytes(StandardCharsets.UTF_8));
        assertEquals("warm-up", t.name());
        assertEquals(List.of("error-rate", "latency"), t.metrics().stream().map(MetricTemplate::name).toList());
    }

    @Test
    void unknownFieldIsRejectedWithLineAndField() {
        String msg = rejected(VALID + "    treshold: 3\n");
        assertTrue(msg.startsWith("t.yaml:11: metrics[0].treshold: Unrecognized field \"treshold\""), msg);
    }

    @Test
    void queryWithoutCohortIsRejected() {
        String msg = rejected(VALID.replace("errors_total{ {{cohort}} }", "errors_total"));
        assertTrue(msg.startsWith("t.yaml:7: metrics[0].events: must use {{cohort}}"), msg);
    }

    @Test
    void unknownPlaceholderIsRejected() {
        String msg = rejected(VALID.replace("[{{step}}]))\n    exposure", "[{{window}}]))\n    exposure"));
        assertEquals("t.yaml:7: metrics[0].events: unknown placeholder {{window}}, known: [cohort, interval, namespace, "
                + "service, step]", msg);
    }

    @Test
    void badDurationIsRejected() {
        assertTrue(rejected(VALID.replace("interval: 1m", "interval: one minute")).contains("interval: bad duration"));
    }

    @Test
    void countsMetricNeedsExposure() {
        String msg = rejected(VALID.replace("    exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))\n", ""));
        assertTrue(msg.startsWith("t.yaml:5: metrics[0]: "), msg);
        assertTrue(msg.contains("exposure"), msg);
    }

    @Test
    void schemaViolationNamesLineAndField() {
        String msg = rejected(VALID.replace("    critical: true", "    direction: upwards"));
        assertEquals("t.yaml:10: metrics[0].direction: must be increase, decrease or either, not upwards", msg);
        assertEquals("t.yaml:4: mode: must be fixed or sequential, not adaptive",
                rejected(VALID.replace("count: 5", "count: 5\nmode: adaptive")));
        msg = rejected(VALID + "    tolerance: {relative: -0.1}\n");
        assertTrue(msg.startsWith("t.yaml:11: metrics[0].tolerance.relative: "), msg);
        msg = rejected(VALID + "    failureLimit: -1\n");
        assertTrue(msg.startsWith("t.yaml:11: metrics[0].failureLimit: "), msg);
    }

    @Test
    void wrongTypeNamesLineAndField() {
        String msg = rejected(VALID.replace("count: 5", "count: five"));
        assertTrue(msg.startsWith("t.yaml:3: count: "), msg);
    }

    @Test
    void durationIsAnAlternativeToCount() {
        AnalysisTemplate t = parse(VALID.replace("count: 5", "duration: 10m\ninitialDelay: 2m"));
        assertEquals(10, t.count());
        assertEquals(Duration.ofMinutes(2), t.initialDelay());
        assertEquals(Duration.ofMinutes(12), t.length());
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nduration: 5m")).contains("count or duration"));
        assertTrue(rejected(VALID.replace("count: 5", "duration: 90s")).contains("whole number of intervals"));
    }

    @Test
    void lifecycleFieldsAreRead() {
        AnalysisTemplate t = parse(VALID.replace("count: 5", "count: 5\nmode: fixed\ninsufficientData: {action: extend, maxExtensions: 4}")
                + "    failureLimit: 2\n    inconclusiveLimit: 1\n    consecutiveErrorLimit: 3\n    dryRun: true\n"
                + "    nanPolicy: zero\n");
        MetricTemplate m = t.metrics().get(0);
        assertEquals(2, m.failureLimitOrDefault());
        assertEquals(1, m.inconclusiveLimitOrDefault());
        assertEquals(3, m.consecutiveErrorLimitOrDefault());
        assertTrue(m.isDryRun());
        assertEquals(MetricTemplate.NanPolicy.ZERO, m.nanPolicyOrDefault());
        assertEquals(InsufficientData.Action.EXTEND, t.insufficientData().actionOrDefault());
        assertEquals(4, t.insufficientData().maxExtensionsOrDefault());
    }

    @Test
    void argoDefaultsApplyWhenLimitsAreAbsent() {
        MetricTemplate m = parse(VALID).metrics().get(0);
        assertEquals(0, m.failureLimitOrDefault());
        assertEquals(-1, m.inconclusiveLimitOrDefault());
        assertEquals(4, m.consecutiveErrorLimitOrDefault());
        assertEquals(InsufficientData.Action.INCONCLUSIVE, parse(VALID).insufficientData().actionOrDefault());
    }

    @Test
    void modeIsSequentialWhenAbsentWithTheDefaultParameters() {
        AnalysisTemplate t = parse(VALID);
        assertEquals(AnalysisTemplate.Mode.SEQUENTIAL, t.mode());
        assertTrue(t.sequentialMode());
        assertEquals(io.canaryjudge.judge.sequential.SequentialConfig.defaults(), t.sequential());
        // a sequential block needs no mode line
        assertEquals(0.1, parse(VALID.replace("count: 5", "count: 5\nsequential: {alpha: 0.1}")).sequential().alpha());
    }

    @Test
    void fixedJudgeFieldsWithoutModeFixedAreRejectedRatherThanIgnored() {
        // a relative tolerance means the same in both modes (the change nobody should be paged for); an absolute one
        // only exists in fixed mode and must not be silently dropped
        String tolerance = VALID + "    tolerance: {relative: 0.2, absolute: 0.01}\n";
        assertEquals("t.yaml:11: metrics[0].tolerance.absolute: sequential margins are relative to stable (relative: "
                + "0.2 = 20 % worse); absolute tolerances belong to mode: fixed", rejected(tolerance));
        assertEquals(AnalysisTemplate.Mode.FIXED, parse(tolerance.replace("count: 5", "count: 5\nmode: fixed")).mode());
        for (String field : List.of("failureLimit: 1", "minSamples: 5", "mustHaveData: false", "group: errors", "weight: 2")) {
            String name = field.substring(0, field.indexOf(':'));
            assertTrue(rejected(VALID + "    " + field + "\n").contains("metrics[0]." + name + ": a field of the fixed-horizon"),
                    field);
        }
        assertTrue(rejected(VALID + "scoring: {pass: 90}\n").contains("scoring: a field of the fixed-horizon judge"));
    }

    @Test
    void modeFixedOptsIntoTheFixedHorizonJudge() {
        AnalysisTemplate t = parse(VALID.replace("count: 5", "count: 5\nmode: fixed"));
        assertEquals(AnalysisTemplate.Mode.FIXED, t.mode());
        assertFalse(t.sequentialMode());
    }

    @Test
    void storedAnalysesWithoutAModeResumeInFixedMode() throws Exception {
        // analyses stored before the mode field existed were all fixed: their template JSON has no mode
        var json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.valueToTree(parse(VALID));
        tree.remove(List.of("mode", "sequential"));
        assertEquals(AnalysisTemplate.Mode.FIXED, json.treeToValue(tree, AnalysisTemplate.class).mode());
    }

    @Test
    void sequentialBlockMapsOntoSequentialConfig() {
        AnalysisTemplate t = parse(VALID.replace("count: 5", """
                count: 5
                mode: sequential
                sequential:
                  alpha: 0.01
                  sigma: 0.3
                  tau: 0.2
                  quantiles: [0.99]
                  maxCount: 12
                  splitAlpha: true
                  earlyPromote: false
                  minPromoteIntervals: 4"""));
        assertTrue(t.sequentialMode());
        var c = t.sequential();
        assertEquals(0.01, c.alpha());
        assertEquals(0.3, c.sigma());
        assertEquals(0.2, c.tau());
        assertEquals(List.of(0.99), c.quantiles());
        assertEquals(12, c.maxCount());
        assertTrue(c.splitAlpha());
        assertFalse(c.earlyPromote());
        assertEquals(4, c.minPromoteIntervals());
        var partial = parse(VALID.replace("count: 5", "count: 5\nmode: sequential\nsequential: {alpha: 0.1}")).sequential();
        assertEquals(io.canaryjudge.judge.sequential.SequentialConfig.defaults().withAlpha(0.1), partial);
    }

    @Test
    void templatesSurviveTheJsonRoundTripOfStoredAnalyses() throws Exception {
        // analyses store their template as JSON and read it back at every measurement
        var json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules();
        for (String yaml : List.of(VALID, VALID.replace("count: 5", "count: 5\nmode: fixed"),
                VALID.replace("count: 5", "count: 5\nmode: sequential\nsequential: {tau: 0.2}"))) {
            AnalysisTemplate t = parse(yaml);
            AnalysisTemplate back = json.readValue(json.writeValueAsString(t), AnalysisTemplate.class);
            assertEquals(t.mode(), back.mode());
            assertEquals(t.sequential(), back.sequential());
            assertEquals(t.metrics().get(0).events(), back.metrics().get(0).events());
        }
    }

    @Test
    void sequentialParametersAreValidated() {
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: sequential\nsequential: {alpha: 1.5}"))
                .contains("sequential.alpha"), "schema: alpha in (0, 1)");
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: sequential\nsequential: {rTol: 1.25}"))
                .contains("sequential.rTol: replaced by each metric's tolerance and detectable"));
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nsequential: {maxCount: 4}"))
                .contains("sequential.maxCount: must be at least count (5)"));
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: sequential\nsequential: {beta: 1}"))
                .contains("beta"));
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: bayesian")).contains("mode"));
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: fixed\nsequential: {alpha: 0.1}"))
                .contains("only with mode: sequential"));
        // threshold metrics are accepted in sequential mode: SequentialInputsParsingTest
        String threshold = VALID.replace("kind: counts", "kind: threshold\n    query: x{ {{cohort}} }")
                .replace("    events:", "    #").replace("    exposure:", "    #")
                .replace("    approximateCounts: true\n", "");
        assertEquals(AnalysisTemplate.Mode.FIXED, parse(threshold.replace("count: 5", "count: 5\nmode: fixed")).mode());
        assertEquals(AnalysisTemplate.Mode.SEQUENTIAL, parse(threshold).mode());
    }

    @Test
    void sequentialMarginsAreRelativeOneSidedAndOrdered() {
        AnalysisTemplate t = parse(VALID + "    tolerance: {relative: 0.25}\n    detectable: {relative: 2}\n");
        assertEquals(new io.canaryjudge.judge.sequential.Margins(1.25, 3), t.metrics().get(0).margins());
        assertEquals(new io.canaryjudge.judge.sequential.Margins(1.2, 2), parse(VALID).metrics().get(0).margins(),
                "counts default: x1.2 tolerated, x2 must be seen");
        MetricTemplate decrease = parse(VALID + "    direction: decrease\n    tolerance: {relative: 0.2}\n"
                + "    detectable: {relative: 0.5}\n").metrics().get(0);
        assertEquals(1.25, decrease.margins().tolerance(), 1e-12, "20 % lower is a factor 1/0.8");
        assertEquals(2, decrease.margins().detectable(), 1e-12);
        assertTrue(rejected(VALID + "    tolerance: {relative: 1}\n    detectable: {relative: 0.5}\n")
                .contains("metrics[0].detectable: detectable factor must be > tolerance"));
        assertTrue(rejected(VALID + "    tolerance: {absolute: 0.01}\n")
                .contains("metrics[0].tolerance.absolute: sequential margins are relative to stable"));
        assertTrue(rejected(VALID + "    direction: either\n")
                .contains("metrics[0].direction: either is not supported in sequential mode"));
        assertTrue(rejected(VALID.replace("count: 5", "count: 5\nmode: fixed") + "    detectable: {relative: 1}\n")
                .contains("metrics[0].detectable: only with mode: sequential"));
    }

    @Test
    void sequentialCountsAreExactUnlessApproximateCountsIsAccepted() {
        String inexact = VALID.replace("    approximateCounts: true\n", "");
        assertTrue(rejected(inexact).contains("metrics[0].events: sequential mode needs exact counts: give "
                + "eventsCounter/exposureCounter"), rejected(inexact));
        assertTrue(parse(VALID).metrics().get(0).isApproximateCounts());
        assertEquals(AnalysisTemplate.Mode.FIXED, parse(inexact.replace("count: 5", "count: 5\nmode: fixed")).mode(),
                "the fixed judge reads the queries as they are");
    }

    @Test
    void theSignTestIsForAContinuousMetricReadByQueryInSequentialMode() {
        String cpu = VALID + """
              - name: cpu-per-request
                kind: continuous
                query: sum(rate(cpu_seconds_total{ {{cohort}} }[{{step}}])) / sum(rate(requests_total{ {{cohort}} }[{{step}}]))
                test: sign
                tolerance: {relative: 0.1}
            """;
        MetricTemplate m = parse(cpu).metrics().get(1);
        assertTrue(m.signTested());
        assertEquals(new io.canaryjudge.judge.sequential.Margins(1.1, 1.2), m.margins());
        assertTrue(rejected(cpu.replace("test: sign", "test: median")).contains("metrics[1].test"),
                rejected(cpu.replace("test: sign", "test: median")));
        assertTrue(rejected(VALID + "    test: sign\n").contains("metrics[0].test: sign pairs a continuous metric's "
                + "query points by timestamp: it needs kind: continuous read by query, not kind: counts"));
        String buckets = cpu.replace("query: sum(rate(cpu", "buckets: latency_bucket{ {{cohort}} }\n    query: sum(rate(cpu");
        assertTrue(rejected(buckets).contains("not histogram buckets"), rejected(buckets));
        assertTrue(rejected(cpu.replace("count: 5", "count: 5\nmode: fixed")).contains("metrics[1].test: only with mode: "
                + "sequential"), rejected(cpu.replace("count: 5", "count: 5\nmode: fixed")));
        assertFalse(parse(cpu.replace("test: sign", "test: ranks")).metrics().get(1).signTested());
    }

    @Test
    void theSequentialTestKeepsItsWireNameWhenATemplateIsStoredAndReadBack() throws IOException {
        String cpu = VALID + """
              - name: cpu-per-request
                kind: continuous
                query: sum(rate(cpu_seconds_total{ {{cohort}} }[{{step}}]))
                test: sign
            """;
        MetricTemplate m = parse(cpu).metrics().get(1);
        assertEquals(MetricTemplate.TestName.SIGN, m.test());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String stored = json.writeValueAsString(m);
        assertEquals("sign", json.readTree(stored).path("test").asText(), stored);
        assertEquals(MetricTemplate.TestName.SIGN, json.readValue(stored, MetricTemplate.class).test());
        assertEquals("t.yaml:14: metrics[1].test: must be ranks or sign, not median",
                rejected(cpu.replace("test: sign", "test: median")));
    }

    @Test
    void aSequentialTemplateNeedsACriticalMetric() {
        assertTrue(rejected(VALID.replace("critical: true", "critical: false"))
                .contains("metrics: sequential mode needs at least one critical metric"));
        assertTrue(rejected(VALID.replace("critical: true", "critical: true\n    dryRun: true"))
                .contains("sequential mode needs at least one critical metric"));
    }

    @Test
    void thresholdsOnlyOnThresholdMetrics() {
        assertTrue(rejected(VALID + "    thresholds: {upper: 1}\n").contains("thresholds belong to threshold metrics"));
    }

    @Test
    void shippedTemplatesAreAllValid() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("analysis-templates"))) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).toList();
            assertTrue(yamls.size() >= 1);
            for (Path p : yamls) {
                AnalysisTemplate t = TemplateParser.parse(p.getFileName().toString(), Files.readAllBytes(p));
                assertEquals(p.getFileName().toString(), t.name() + ".yaml", "file name matches template name");
                // sequential is the default; the fixed-horizon judge is opt-in and says so in its name
                assertEquals(t.name().endsWith("-fixed") ? AnalysisTemplate.Mode.FIXED : AnalysisTemplate.Mode.SEQUENTIAL,
                        t.mode(), t.name());
            }
        }
    }
}
