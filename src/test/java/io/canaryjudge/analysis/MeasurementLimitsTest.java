package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.InsufficientData;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits both modes share: which metric stops the analysis, with which phase, verdict and sentence. */
class MeasurementLimitsTest {

    private static MetricTemplate metric(String name, boolean critical, Integer inconclusiveLimit,
                                         Integer consecutiveErrorLimit, Boolean dryRun) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.COUNTS, null, "e{ {{cohort}} }",
                "x{ {{cohort}} }", null, null, null, critical, null, null, null, null, 1, inconclusiveLimit,
                consecutiveErrorLimit, dryRun, null);
    }

    private static AnalysisTemplate template(InsufficientData policy, MetricTemplate... metrics) {
        return new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, 5, Duration.ofSeconds(30), 95, 75,
                policy, List.of(metrics), "t.yaml", null, AnalysisTemplate.Mode.SEQUENTIAL, SequentialConfig.defaults());
    }

    @Test
    void theFirstMetricOverItsConsecutiveErrorLimitEndsInErrorButADryRunNever() {
        AnalysisTemplate t = template(null, metric("shadow", true, null, 0, true), metric("errors", true, null, 2, null));
        Map<String, Integer> errors = Map.of("shadow", 9, "errors", 3);
        MeasurementLimits.Stop stop = MeasurementLimits.errors(t, m -> errors.get(m.name()), m -> "timeout");
        assertEquals(new MeasurementLimits.Stop(Lifecycle.Decision.Kind.FINISH, Phase.ERROR, Verdict.INCONCLUSIVE,
                "Metric errors could not be measured 3 times in a row (consecutiveErrorLimit 2): timeout"), stop);
        assertNull(MeasurementLimits.errors(t, m -> m.name().equals("errors") ? 2 : 9, m -> "timeout"),
                "at the limit, and a dry run over it, go on");
    }

    @Test
    void looksWithoutDataOverInconclusiveLimitEndInconclusiveInEachModesWords() {
        AnalysisTemplate t = template(null, metric("unlimited", true, null, null, null), metric("errors", true, 1, null,
                null));
        assertEquals("Metric errors had no data in 2 interval(s), over its inconclusiveLimit 1. CONTINUE: …",
                MeasurementLimits.noData(t, m -> 2, "interval(s)", m -> ". CONTINUE: …").reason());
        MeasurementLimits.Stop fixed = MeasurementLimits.noData(t, m -> 2, "measurement(s)", m -> ": no data");
        assertEquals(Phase.INCONCLUSIVE, fixed.phase());
        assertEquals(Verdict.INCONCLUSIVE, fixed.verdict());
        assertEquals("Metric errors had no data in 2 measurement(s), over its inconclusiveLimit 1: no data",
                fixed.reason());
        assertNull(MeasurementLimits.noData(t, m -> 1, "interval(s)", m -> ""), "no limit by default");
    }

    @Test
    void insufficientDataExtendsWhileExtensionsRemainThenFollowsTheAction() {
        MetricTemplate m = metric("errors", true, null, null, null);
        AnalysisTemplate extend = template(new InsufficientData(InsufficientData.Action.EXTEND, 2), m);
        MeasurementLimits.Stop more = MeasurementLimits.insufficientData(extend, List.of("errors", "latency"), 5,
                "interval(s)", 1, "why");
        assertEquals(new MeasurementLimits.Stop(Lifecycle.Decision.Kind.EXTEND, null, null, "Critical metric(s) "
                + "errors, latency still lack data after 5 interval(s); extending by one interval (2 of 2)"), more);
        assertEquals("Critical metric(s) errors still lack data after 7 measurement(s) and 2 extension(s) "
                + "(insufficientData: extend, maxExtensions 2).", MeasurementLimits.insufficientData(extend,
                List.of("errors"), 7, "measurement(s)", 2, "why").reason());
        MeasurementLimits.Stop fail = MeasurementLimits.insufficientData(template(new InsufficientData(
                InsufficientData.Action.FAIL, null), m), List.of("errors"), 5, "interval(s)", 0, "why");
        assertEquals(new MeasurementLimits.Stop(Lifecycle.Decision.Kind.FINISH, Phase.FAILED, Verdict.ABORT,
                "Critical metric(s) errors still lack data after 5 interval(s) (insufficientData: fail)."), fail);
        assertEquals("Critical metric(s) errors still lack data after 5 interval(s) (insufficientData: inconclusive). "
                + "why", MeasurementLimits.insufficientData(template(null, m), List.of("errors"), 5, "interval(s)", 0,
                "why").reason());
    }

    @Test
    void failureLimitAndAbortedEarly() {
        MetricTemplate critical = metric("errors", true, null, null, null);
        assertFalse(MeasurementLimits.overFailureLimit(critical, 1), "failureLimit 1");
        assertTrue(MeasurementLimits.overFailureLimit(critical, 2));
        assertFalse(MeasurementLimits.overFailureLimit(metric("cpu", false, null, null, null), 5), "not critical");
        assertFalse(MeasurementLimits.overFailureLimit(metric("new", true, null, null, true), 5), "dry run");
        assertEquals(" (aborted early at measurement 3 of 10)", MeasurementLimits.abortedEarly(3, 10));
        assertEquals("", MeasurementLimits.abortedEarly(10, 10));
    }

    @Test
    void onlyTheJudgesMissingDataRulesCountAsLooksWithoutData() {
        assertEquals(MissingData.NO_DATA, MissingData.of("no-data"));
        assertEquals(MissingData.NO_EXPOSURE, MissingData.of("no-exposure"));
        assertEquals("no-exposure", MissingData.NO_EXPOSURE.rule());
        assertNull(MissingData.of("min-samples"));
        assertNull(MissingData.of(null));
    }
}
