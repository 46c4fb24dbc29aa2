package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScorerTest {

    private final Scorer scorer = Scorer.of(95, 75);

    private static MetricResult result(String name, Classification c, boolean critical, String group) {
        MetricSpec spec = MetricSpec.builder(name, MetricKind.CONTINUOUS).critical(critical).group(group).build();
        return MetricResult.withoutTest(spec, c, "test", name + " " + c, 10, 10, 0, 0);
    }

    private static MetricResult result(String name, Classification c) {
        return result(name, c, false, "default");
    }

    @Test
    void allPassPromotesWithFullScore() {
        ScoreResult s = scorer.score(List.of(result("a", Classification.PASS), result("b", Classification.PASS)));
        assertEquals(Verdict.PROMOTE, s.verdict());
        assertEquals(100, s.score());
        assertEquals("Score 100.0 reaches the pass threshold 95.0.", s.reason());
    }

    @Test
    void criticalHighAbortsEvenWhenTheScoreWouldPass() {
        List<MetricResult> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            results.add(result("m" + i, Classification.PASS));
        }
        results.add(result("errors", Classification.HIGH, true, "default"));
        ScoreResult s = scorer.score(results);
        assertEquals(Verdict.ABORT, s.verdict());
        assertEquals("Critical metric errors HIGH (score 96.8).", s.reason());
    }

    @Test
    void criticalNoDataIsInconclusiveNeverPromote() {
        ScoreResult s = scorer.score(List.of(result("a", Classification.PASS), result("b", Classification.PASS),
            result("errors", Classification.NO_DATA, true, "default")));
        assertEquals(Verdict.INCONCLUSIVE, s.verdict());
        assertEquals("Critical metric errors NO_DATA: cannot promote without it (score 100.0).", s.reason());
    }

    @Test
    void halfTheMetricsWithoutDataIsInconclusive() {
        ScoreResult s = scorer.score(List.of(result("a", Classification.PASS), result("b", Classification.NO_DATA)));
        assertEquals(Verdict.INCONCLUSIVE, s.verdict());
        assertEquals("1 of 2 metrics had no data: too little to promote (score 100.0).", s.reason());
    }

    @Test
    void noDataIsNotCountedInTheGroupScore() {
        ScoreResult s = scorer.score(List.of(result("a", Classification.PASS), result("b", Classification.PASS),
            result("c", Classification.NO_DATA)));
        assertEquals(100, s.score());
        assertEquals(Verdict.PROMOTE, s.verdict());
    }

    @Test
    void mustHaveDataWithoutDataCountsAsFailureAndNeverPromotes() {
        MetricSpec spec = MetricSpec.builder("rps", MetricKind.CONTINUOUS).mustHaveData(true).build();
        List<MetricResult> results = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            results.add(result("m" + i, Classification.PASS));
        }
        results.add(MetricResult.withoutTest(spec, Classification.NO_DATA, "no-data", "rps has NO_DATA", 0, 0, 0, 0));
        ScoreResult s = scorer.score(results);
        assertEquals(90, s.score(), 1e-9);
        assertEquals(Verdict.INCONCLUSIVE, s.verdict());
        assertEquals("Metric rps must have data but had none (score 90.0).", s.reason());
    }

    @Test
    void marginalScoreIsInconclusiveAndLowScoreAborts() {
        List<MetricResult> marginal = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            marginal.add(result("m" + i, Classification.PASS));
        }
        marginal.add(result("x", Classification.HIGH));
        marginal.add(result("y", Classification.LOW));
        ScoreResult s = scorer.score(marginal);
        assertEquals(80, s.score(), 1e-9);
        assertEquals(Verdict.INCONCLUSIVE, s.verdict());
        assertEquals("Score 80.0 is marginal (pass 95.0, marginal 75.0); failing: x HIGH, y LOW.", s.reason());
        ScoreResult low = scorer.score(List.of(result("a", Classification.PASS), result("b", Classification.HIGH)));
        assertEquals(Verdict.ABORT, low.verdict());
    }

    @Test
    void groupsAreWeightedByTheirWeights() {
        Scorer weighted = scorer.withGroupWeights(Map.of("latency", 3.0, "errors", 1.0));
        ScoreResult s = weighted.score(List.of(
            result("p50", Classification.PASS, false, "latency"),
            result("p99", Classification.PASS, false, "latency"),
            result("5xx", Classification.HIGH, false, "errors")));
        assertEquals(75, s.score(), 1e-9); // (3·100 + 1·0) / 4
        assertEquals(Map.of("latency", 100.0, "errors", 0.0), s.groupScores());
    }

    @Test
    void errorsCountAsFailures() { // argo-rollouts#4479: all measurements errored must not promote
        ScoreResult s = scorer.score(List.of(result("a", Classification.ERROR), result("b", Classification.ERROR)));
        assertEquals(0, s.score());
        assertEquals(Verdict.ABORT, s.verdict());
    }

    @Test
    void noMetricsIsInconclusive() {
        assertEquals(Verdict.INCONCLUSIVE, scorer.score(List.of()).verdict());
    }

    @Test
    void thresholdsAreValidated() {
        assertEquals("marginal not in [0, pass]",
            assertThrows(IllegalArgumentException.class, () -> Scorer.of(50, 60)).getMessage());
        assertEquals("pass not in [0, 100]",
            assertThrows(IllegalArgumentException.class, () -> Scorer.of(101, 60)).getMessage());
    }
}
