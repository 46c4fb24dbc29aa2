package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Inputs of sequential mode in the pure step: threshold metrics (fixed mode's rule on each interval's values,
 * failureLimit, no α), fast mode (asymptotic, labelled) and histogram buckets.
 */
class SequentialStepInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static MetricTemplate limit(String name, boolean critical, Integer failureLimit) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.THRESHOLD, "q{ {{cohort}} }", null, null,
                null, null, new MetricTemplate.Bounds(0.5, 100.0, null, null, null), critical, null, null, null, null,
                failureLimit, null, null, null, null, null, null, null);
    }

    private static MetricTemplate latency(String name) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.CONTINUOUS, "q{ {{cohort}} }", null, null,
                null, null, null, true, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static AnalysisTemplate template(int count, SequentialConfig c, MetricTemplate... metrics) {
        return new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, count, Duration.ofSeconds(30), 95, 75,
                null, List.of(metrics), "t.yaml", null, AnalysisTemplate.Mode.SEQUENTIAL, c);
    }

    private static Observation values(String name, double[] c, double[] s) {
        return new Observation(name, new Observation.CohortData(List.of(), c, new double[c.length], null, null),
                new Observation.CohortData(List.of(), s, new double[s.length], null, null), null);
    }

    @Test
    void criticalBreachAbortsAtOnceWithoutSpendingAlpha() {
        AnalysisTemplate t = template(5, SequentialConfig.defaults(), limit("mem", true, null));
        var ok = SequentialStep.step(t, Map.of(), List.of(values("mem", new double[] {90, 95}, new double[] {90})), 1, 5, 0);
        assertEquals(Lifecycle.Decision.Kind.CONTINUE, ok.kind());
        assertTrue(ok.reason().contains("Threshold mem is PASS"), ok.reason());
        assertEquals(Classification.PASS, SequentialStep.classification(t.metrics().get(0), ok.states().get("mem"),
                values("mem", new double[] {1}, new double[] {1})));
        var bad = SequentialStep.step(t, ok.states(), List.of(values("mem", new double[] {120, 130}, new double[] {90})),
                2, 5, 0);
        assertEquals(Verdict.ABORT, bad.verdict());
        assertTrue(bad.reason().startsWith("ABORT: critical threshold mem breached (a deterministic limit"),
                bad.reason());
        assertTrue(bad.reason().contains("no α is spent"), bad.reason());
        assertTrue(bad.reason().contains("aborted early at measurement 2 of 5"), bad.reason());
        assertEquals(1, bad.counters().get("mem").failures());
        assertEquals("HIGH", bad.counters().get("mem").lastFailure());
    }

    @Test
    void failureLimitAndNonCriticalBreachesWorkAsInFixedMode() {
        AnalysisTemplate t = template(3, SequentialConfig.defaults(), limit("mem", true, 1), limit("cpu", false, null));
        List<Observation> breach = List.of(values("mem", new double[] {150}, new double[] {90}),
                values("cpu", new double[] {150}, new double[] {90}));
        var first = SequentialStep.step(t, Map.of(), breach, 1, 3, 0);
        assertEquals(Lifecycle.Decision.Kind.CONTINUE, first.kind(), "1 breach is within failureLimit 1");
        assertTrue(first.reason().contains("not critical"), first.reason());
        // the state, breaches included, survives the JSON stored with the measurement
        var restored = SequentialStep.fromJson(JSON, SequentialStep.toJson(JSON, first.states()));
        assertEquals(first.states(), restored);
        var second = SequentialStep.step(t, restored, breach, 2, 3, 0);
        assertEquals(Verdict.ABORT, second.verdict(), second.reason());
        assertTrue(second.reason().startsWith("ABORT: critical threshold mem breached"), second.reason());
    }

    @Test
    void thresholdMetricsDoNotCountInTheAlphaSplitAndPromoteWhenWithinBounds() {
        AnalysisTemplate t = template(1, SequentialConfig.defaults().withSplitAlpha(true), latency("lat"),
                limit("mem", true, null));
        AnalysisTemplate two = template(1, SequentialConfig.defaults().withSplitAlpha(true), latency("lat"),
                latency("lat2"), limit("mem", true, null));
        assertEquals(1, SequentialStep.tests(t), "one abort test (points: no tail test); quantiles inform, the "
                + "threshold spends no α");
        assertEquals(2, SequentialStep.tests(two));
        double[] same = new double[600];
        for (int i = 0; i < same.length; i++) {
            same[i] = 100 * Math.exp(0.5 * Math.sqrt(2) * org.apache.commons.math3.special.Erf.erfInv(
                    2 * (i + 0.5) / same.length - 1));
        }
        var out = SequentialStep.step(t, Map.of(), List.of(values("lat", same, same),
                values("mem", new double[] {50}, new double[] {50})), 1, 1, 0);
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertTrue(out.reason().contains("no critical threshold breached"), out.reason());
        assertTrue(out.reason().contains("Threshold mem is PASS"), out.reason());
        assertEquals(0.05, out.states().get("lat").tests().get(0).state().alpha(), 1e-15);
        var split = SequentialStep.step(two, Map.of(), List.of(values("lat", same, same), values("lat2", same, same),
                values("mem", new double[] {50}, new double[] {50})), 1, 1, 0);
        assertEquals(0.025, split.states().get("lat").tests().get(0).state().alpha(), 1e-15);
    }

    @Test
    void noValuesIsNoDataNeverPromote() {
        AnalysisTemplate t = template(1, SequentialConfig.defaults(), limit("mem", true, null));
        var out = SequentialStep.step(t, Map.of(), List.of(values("mem", new double[0], new double[0])), 1, 1, 0);
        assertEquals(Verdict.INCONCLUSIVE, out.verdict(), out.reason());
        assertTrue(out.reason().contains("still lack data"), out.reason());
    }

    private static Observation buckets(String name, double[] le, double[] canary, double[] stable) {
        return new Observation(name,
                new Observation.CohortData(List.of(), new double[0], new double[0], null, null, new Buckets(le, canary)),
                new Observation.CohortData(List.of(), new double[0], new double[0], null, null, new Buckets(le, stable)),
                null);
    }

    private static MetricTemplate histogram(String name) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.CONTINUOUS, null, null, null,
                null, null, null, true, null, null, null, null, null, null, null, null, null, "h{ {{cohort}} }", null, null);
    }

    @Test
    void fastModeRunsTheAsymptoticRankTestAndSaysSoInEveryReason() {
        double inf = Double.POSITIVE_INFINITY;
        double[] le = {0.05, 0.1, 0.25, inf};
        AnalysisTemplate t = template(3, SequentialConfig.defaults().withFastMode(true), histogram("lat"));
        var same = SequentialStep.step(t, Map.of(), List.of(buckets("lat", le, new double[] {50, 80, 99, 100},
                new double[] {500, 800, 990, 1000})), 1, 3, 0);
        assertEquals(Lifecycle.Decision.Kind.CONTINUE, same.kind());
        var fast = same.states().get("lat").tests().get(0);
        assertEquals("ranks-fast", fast.type());
        assertTrue(fast.state().asymptotic());
        assertTrue(same.reason().contains("guarantee asymptotic only"), same.reason());
        assertTrue(same.reason().endsWith(SequentialStep.ASYMPTOTIC), same.reason());
        assertEquals(List.of("lat", "lat rule-out", "lat within", "lat p50", "lat p99", "lat tail"),
                same.states().get("lat").tests().stream()
                .map(SequentialStep.TestState::name).toList());
        var restored = SequentialStep.fromJson(JSON, SequentialStep.toJson(JSON, same.states()));
        assertEquals(same.states(), restored, "the fast state is stored with its own type and continues");
        var worse = SequentialStep.step(t, restored, List.of(buckets("lat", le, new double[] {5, 20, 60, 100},
                new double[] {500, 800, 990, 1000})), 2, 3, 0);
        assertEquals(Verdict.ABORT, worse.verdict(), worse.reason());
        assertTrue(worse.reason().contains("normal-approximation rank mSPRT (fast mode, asymptotic)"), worse.reason());
        assertTrue(worse.reason().endsWith(SequentialStep.ASYMPTOTIC), worse.reason());
        var json = SequentialStep.describe(JSON, worse.states().get("lat"), worse.decision());
        assertTrue(json.get(0).path("asymptotic").asBoolean());
        assertEquals(false, json.get(3).path("asymptotic").asBoolean(), "the quantile tests stay exact");
    }

    @Test
    void withoutFastModeTheExactRankTestReadsTheBuckets() {
        double inf = Double.POSITIVE_INFINITY;
        double[] le = {0.05, 0.1, 0.25, inf};
        AnalysisTemplate t = template(3, SequentialConfig.defaults(), histogram("lat"));
        var out = SequentialStep.step(t, Map.of(), List.of(buckets("lat", le, new double[] {5, 20, 60, 100},
                new double[] {500, 800, 990, 1000})), 1, 3, 0);
        assertEquals("ranks", out.states().get("lat").tests().get(0).type());
        assertEquals("ranks-rule-out", out.states().get("lat").tests().get(1).type());
        assertEquals("ranks-within", out.states().get("lat").tests().get(2).type());
        assertEquals("quantile-buckets", out.states().get("lat").tests().get(3).type());
        assertTrue(!out.reason().contains("asymptotic"), out.reason());
        assertEquals(Verdict.ABORT, out.verdict(), "median 0.1-0.25 vs below 0.05: " + out.reason());
    }
}
