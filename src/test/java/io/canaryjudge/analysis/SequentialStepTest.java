package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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

/** The pure sequential decision: abort, promote, missing data, query errors, and state through JSON. */
class SequentialStepTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static MetricTemplate counts(String name) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.COUNTS, null, "e{ {{cohort}} }",
                "x{ {{cohort}} }", null, null, null, true, null, null, null, null, null, null, 1, null, null);
    }

    private static MetricTemplate latency(String name) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.CONTINUOUS, "q{ {{cohort}} }", null, null,
                null, null, null, true, null, null, null, null, null, null, null, null, null);
    }

    private static AnalysisTemplate template(int count, InsufficientData.Action action, MetricTemplate... metrics) {
        return new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, count, Duration.ofSeconds(30), 95, 75,
                new InsufficientData(action, null), List.of(metrics), "t.yaml", null, AnalysisTemplate.Mode.SEQUENTIAL,
                SequentialConfig.defaults());
    }

    private static Observation countsObs(String name, double ce, double se, double cx, double sx) {
        return new Observation(name, new Observation.CohortData(List.of(), new double[0], new double[0], ce, cx),
                new Observation.CohortData(List.of(), new double[0], new double[0], se, sx), null);
    }

    private static Observation values(String name, double[] c, double[] s) {
        return new Observation(name, new Observation.CohortData(List.of(), c, new double[c.length], null, null),
                new Observation.CohortData(List.of(), s, new double[s.length], null, null), null);
    }

    @Test
    void criticalRegressionAbortsAtOnce() {
        AnalysisTemplate t = template(10, null, counts("errors"));
        var out = SequentialStep.step(t, Map.of(), List.of(countsObs("errors", 40, 10, 100, 1000)), 1, 10, 0);
        assertEquals(Lifecycle.Decision.Kind.FINISH, out.kind());
        assertEquals(Verdict.ABORT, out.verdict());
        assertEquals(Phase.FAILED, out.phase());
        assertTrue(out.reason().contains("aborted early at measurement 1 of 10"), out.reason());
    }

    /** 300 latencies per cohort: 100 ms × LogNormal(0, 0.5) at evenly spaced quantiles, times factor. */
    private static double[] lognormal(double factor) {
        double[] v = new double[300];
        for (int i = 0; i < v.length; i++) {
            double z = Math.sqrt(2) * org.apache.commons.math3.special.Erf.erfInv(2 * (i + 0.5) / v.length - 1);
            v[i] = factor * 100 * Math.exp(0.5 * z);
        }
        return v;
    }

    @Test
    void healthyCanaryWithEnoughDataPromotesAtThePlannedEndAndStateSurvivesJson() {
        AnalysisTemplate t = template(3, null, counts("errors"), latency("latency"));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        for (int seq = 1; seq <= 3; seq++) {
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 40, 400, 10_000, 100_000),
                    values("latency", lognormal(1), lognormal(1))), seq, 3, 0);
            states = SequentialStep.fromJson(JSON, SequentialStep.toJson(JSON, out.states()));
            assertEquals(out.states(), states, "states round-trip through the stored JSON");
            if (seq < 3) {
                assertEquals(Lifecycle.Decision.Kind.CONTINUE, out.kind(), out.reason());
            }
        }
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertEquals(3, states.get("errors").tests().get(0).state().looks());
        assertEquals(5, states.get("latency").tests().size(), "abort, rule-out and within rank tests, p50, p99 (points: "
                + "no tail test)");
        assertTrue(out.reason().startsWith("PROMOTE: no critical metric is worse than its tolerance, and each rules out "
                + "the regression it must detect."), out.reason());
        assertTrue(out.reason().contains("latency +0 % vs stable"), out.reason());
    }

    @Test
    void tooLittleDataExtendsUpToMaxCountThenEndsInconclusiveSayingWhatIsMissing() {
        AnalysisTemplate t = template(2, null, counts("errors"));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        int total = 2;
        for (int seq = 1; seq <= 4; seq++) {
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 2, 2, 1000, 1000)), seq, total, total - 2);
            states = out.states();
            if (out.kind() == Lifecycle.Decision.Kind.EXTEND) {
                total++;
                assertTrue(out.reason().startsWith("Not yet: errors: "), out.reason());
            }
        }
        assertEquals(4, total, "extended to maxCount = 2 x count");
        assertEquals(Verdict.INCONCLUSIVE, out.verdict(), out.reason());
        assertTrue(out.reason().startsWith("INCONCLUSIVE after 4 intervals (maxCount 4): errors: 8 canary errors in "
                + "4,000 vs 8 in 4,000 cannot rule out 2× (upper bound "), out.reason());
        assertTrue(out.reason().contains("more minutes at this traffic would."), out.reason());
    }

    @Test
    void aChangeWithinToleranceAtHighTrafficIsNotAborted() {
        // canary 5 % more errors at 20,000 requests per interval a side: "any difference" would abort at once
        AnalysisTemplate t = template(10, null, counts("errors"));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        for (int seq = 1; seq <= 10; seq++) {
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 1050, 1000, 20_000, 20_000)), seq, 10, 0);
            states = out.states();
            if (out.kind() == Lifecycle.Decision.Kind.FINISH) {
                break;
            }
        }
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertTrue(out.reason().startsWith("PROMOTE early: every critical metric is shown within its tolerance. "
                + "errors 1.05× stable's rate"), out.reason());
    }

    @Test
    void earlyPromoteOnceWithinToleranceAfterTheMinimumLooks() {
        AnalysisTemplate t = new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, 20, Duration.ofSeconds(30),
                95, 75, null, List.of(counts("errors")), "t.yaml", null, AnalysisTemplate.Mode.SEQUENTIAL,
                SequentialConfig.defaults().withEarlyPromote(true, 2));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        int seq = 0;
        while (seq < 20) {
            seq++;
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 500, 500, 10_000, 10_000)), seq, 20, 0);
            states = out.states();
            if (out.kind() == Lifecycle.Decision.Kind.FINISH) {
                break;
            }
        }
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertTrue(seq >= 2 && seq < 20, "promoted early, not before minPromoteIntervals: " + seq);
        assertTrue(out.reason().startsWith("PROMOTE early"), out.reason());
    }

    @Test
    void missingDataNeverPromotes() {
        AnalysisTemplate t = template(1, null, latency("latency"));
        var out = SequentialStep.step(t, Map.of(), List.of(values("latency", new double[0], new double[] {1, 2})), 1, 1, 0);
        assertEquals(Verdict.INCONCLUSIVE, out.verdict());
        assertTrue(out.reason().contains("still lack data"), out.reason());
        var fail = SequentialStep.step(template(1, InsufficientData.Action.FAIL, latency("latency")), Map.of(),
                List.of(values("latency", new double[0], new double[0])), 1, 1, 0);
        assertEquals(Verdict.ABORT, fail.verdict());
    }

    @Test
    void queryErrorsSkipTheIntervalAndEndInErrorOverTheLimit() {
        AnalysisTemplate t = template(10, null, counts("errors"));
        var first = SequentialStep.step(t, Map.of(), List.of(Observation.failed("errors", "boom")), 1, 10, 0);
        assertEquals(Lifecycle.Decision.Kind.CONTINUE, first.kind());
        assertEquals(0, first.states().get("errors").tests().get(0).state().looks(), "no look on an error");
        var second = SequentialStep.step(t, first.states(), List.of(Observation.failed("errors", "boom")), 2, 10, 0);
        assertEquals(Phase.ERROR, second.phase());
        assertEquals(Verdict.INCONCLUSIVE, second.verdict());
    }

    private static MetricTemplate perRequest(String name, boolean critical) {
        return new MetricTemplate(name, null, MetricTemplate.MetricKindName.CONTINUOUS, "q{ {{cohort}} }", null, null,
                null, new MetricTemplate.ToleranceSpec(0.1, null), null, critical, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, MetricTemplate.TEST_SIGN);
    }

    /** Two points per cohort at the 30 s steps of interval seq: the canary at factor × stable, both drifting. */
    private static Observation paired(String name, int seq, double factor) {
        double[] times = {seq * 60 - 30, seq * 60};
        double drift = 1 + 0.3 * Math.sin(seq);
        return new Observation(name, new Observation.CohortData(List.of(), new double[] {factor * 0.008 * drift,
                factor * 0.0081 * drift}, times, null, null),
                new Observation.CohortData(List.of(), new double[] {0.008 * drift, 0.0079 * drift}, times, null, null),
                null);
    }

    @Test
    void aLevelWithTwoPointsPerIntervalIsFlaggedByThePairedSignTestWithoutDecidingWhenInformative() {
        AnalysisTemplate t = template(10, null, counts("errors"), perRequest("cpu-per-request", false));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        int flaggedAt = 0;
        for (int seq = 1; seq <= 5; seq++) {
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 40, 400, 10_000, 100_000),
                    paired("cpu-per-request", seq, 1.8)), seq, 10, 0);
            states = SequentialStep.fromJson(JSON, SequentialStep.toJson(JSON, out.states()));
            assertEquals(out.states(), states, "states round-trip through the stored JSON");
            if (flaggedAt == 0 && SequentialStep.aborting(states.get("cpu-per-request"))) {
                flaggedAt = seq;
            }
        }
        assertEquals(1, states.get("cpu-per-request").tests().size(), "informative: the abort test only");
        assertEquals(4, flaggedAt, "7 pairs all worse cross ln 20: the 4th interval at 2 points each");
        assertEquals(Lifecycle.Decision.Kind.CONTINUE, out.kind(), "informative metrics never decide: " + out.reason());
        assertTrue(out.reason().matches(".*cpu-per-request \\(informative, never decides\\) \\+8[0-9.]+ % vs stable "
                + "\\(per-interval medians; canary ÷ 1.1 worse than stable at 10 of 10 paired points\\) after 5 min: "
                + "worse than the \\+10 % tolerance \\(paired sign e-process: ln M .*"), out.reason());
    }

    @Test
    void aCriticalSignTestedLevelAbortsAndPromotesWithinTolerance() {
        AnalysisTemplate t = template(10, null, perRequest("cpu-per-request", true));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.StepOutcome out = null;
        for (int seq = 1; seq <= 4 && (out == null || out.kind() != Lifecycle.Decision.Kind.FINISH); seq++) {
            out = SequentialStep.step(t, states, List.of(paired("cpu-per-request", seq, 1.5)), seq, 10, 0);
            states = out.states();
        }
        assertEquals(3, states.get("cpu-per-request").tests().size(), "abort, rule-out and within sign tests");
        assertEquals(Verdict.ABORT, out.verdict(), out.reason());
        assertTrue(out.reason().startsWith("ABORT: cpu-per-request +5"), out.reason());
        assertTrue(out.reason().contains("worse than stable at 8 of 8 paired points) after 4 min: worse than the +10 % "
                + "tolerance"), out.reason());

        // the same level as stable: within the 10 % tolerance after 7 pairs, PROMOTE early after 5 intervals
        states = Map.of();
        out = null;
        int seq = 0;
        while (out == null || out.kind() != Lifecycle.Decision.Kind.FINISH) {
            seq++;
            out = SequentialStep.step(t, states, List.of(paired("cpu-per-request", seq, 1.0)), seq, 10, 0);
            states = out.states();
        }
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertEquals(5, seq, out.reason());
        assertTrue(out.reason().startsWith("PROMOTE early"), out.reason());
    }
}
