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

    @Test
    void healthyCanaryContinuesThenPromotesAndStateSurvivesJson() {
        AnalysisTemplate t = template(3, null, counts("errors"), latency("latency"));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.Outcome out = null;
        for (int seq = 1; seq <= 3; seq++) {
            out = SequentialStep.step(t, states, List.of(countsObs("errors", 1, 10, 100, 1000),
                    values("latency", new double[] {1, 3, 5}, new double[] {2, 4, 6, 3, 1})), seq, 3, 0);
            states = SequentialStep.fromJson(JSON, SequentialStep.toJson(JSON, out.states()));
            assertEquals(out.states(), states, "states round-trip through the stored JSON");
        }
        assertEquals(Verdict.PROMOTE, out.verdict(), out.reason());
        assertEquals(3, states.get("errors").tests().get(0).state().looks());
        assertEquals(3, states.get("latency").tests().size(), "rank test + p50 + p99");
        assertTrue(out.reason().startsWith("PROMOTE"), out.reason());
    }

    @Test
    void earlyPromoteOnceTheRateRatioIntervalIsInsideTheTolerance() {
        AnalysisTemplate t = new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, 20, Duration.ofSeconds(30),
                95, 75, null, List.of(counts("errors")), "t.yaml", null, AnalysisTemplate.Mode.SEQUENTIAL,
                SequentialConfig.defaults().withEarlyPromote(1.25, 2));
        Map<String, SequentialStep.MetricState> states = Map.of();
        SequentialStep.Outcome out = null;
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
}
