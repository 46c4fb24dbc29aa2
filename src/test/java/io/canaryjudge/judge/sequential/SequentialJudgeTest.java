package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialJudgeTest {

    private static final SequentialConfig CONFIG = SequentialConfig.defaults();

    /** The equal_split_regression vector: crosses ln 20 at interval 6. */
    private static CountRatioEProcess regression(int intervals) {
        long[][] rows = {{5, 2}, {6, 3}, {4, 1}, {7, 3}, {5, 2}, {6, 2}};
        CountRatioEProcess e = CONFIG.startCounts(Direction.INCREASE, 1);
        for (int t = 0; t < intervals; t++) {
            e = e.update(new CountInterval(rows[t][0], rows[t][1], 300, 300));
        }
        return e;
    }

    private static CountRatioEProcess equal(SequentialConfig config, int intervals, int tests) {
        CountRatioEProcess e = config.startCounts(Direction.INCREASE, tests);
        for (int t = 0; t < intervals; t++) {
            e = e.update(new CountInterval(100, 100, 5000, 5000));
        }
        return e;
    }

    @Test
    void abortsWhenACriticalCountMetricCrossesAndSaysWhy() {
        SequentialDecision d = SequentialJudge.decide(CONFIG,
            List.of(SequentialMetric.of("errors", true, regression(6), CONFIG)));
        assertEquals(SequentialAction.ABORT, d.action());
        assertEquals(MetricStatus.REGRESSION, d.metrics().get(0).status());
        assertEquals("ABORT: errors (count e-process, increase is bad): ln M = 3.329 ≥ ln(1/α) = 2.996 after 6 "
            + "intervals, anytime p = 0.03582; rate ratio 2.538, 95.00 % CS [0.9651, 7.795] (33 canary vs 13 stable "
            + "errors): regression.", d.reason());
    }

    @Test
    void continuesBeforeTheCrossing() {
        SequentialDecision d = SequentialJudge.decide(CONFIG,
            List.of(SequentialMetric.of("errors", true, regression(5), CONFIG)));
        assertEquals(SequentialAction.CONTINUE, d.action());
        assertEquals(MetricStatus.NO_EVIDENCE, d.metrics().get(0).status());
        assertTrue(d.reason().startsWith("CONTINUE: no critical metric has reached ln(1/α) = 2.996. errors "), d.reason());
        assertEquals(0.08143342073310054, d.metrics().get(0).pValue(), 1e-12);
    }

    @Test
    void aNonCriticalCrossingIsReportedButDoesNotAbort() {
        SequentialDecision d = SequentialJudge.decide(CONFIG,
            List.of(SequentialMetric.of("errors", false, regression(6), CONFIG)));
        assertEquals(SequentialAction.CONTINUE, d.action());
        assertEquals(MetricStatus.REGRESSION, d.metrics().get(0).status());
    }

    @Test
    void promotesEarlyOnceTheRatioIntervalIsInsideTheToleranceAfterTheMinimumDuration() {
        SequentialConfig config = CONFIG.withEarlyPromote(1.25, 10);
        SequentialDecision tooEarly = SequentialJudge.decide(config,
            List.of(SequentialMetric.of("errors", true, equal(config, 9, 1), config)));
        assertEquals(SequentialAction.CONTINUE, tooEarly.action());
        SequentialDecision d = SequentialJudge.decide(config,
            List.of(SequentialMetric.of("errors", true, equal(config, 10, 1), config)));
        assertEquals(SequentialAction.PROMOTE, d.action(), d.reason());
        assertEquals(MetricStatus.WITHIN_TOLERANCE, d.metrics().get(0).status());
        assertTrue(d.reason().startsWith("PROMOTE early: every metric's rate ratio is below 1.250 with 95.00 % "
            + "confidence."), d.reason());
    }

    @Test
    void aMetricWithoutAConfidenceSequenceRulesOutAnEarlyPromote() {
        SequentialConfig config = CONFIG.withEarlyPromote(1.25, 10);
        BatchRankEProcess latency = config.startRanks(Direction.INCREASE, 2);
        for (int t = 0; t < 10; t++) {
            latency = latency.update(new double[] {1, 2, 3}, new double[] {1, 2, 3});
        }
        SequentialDecision d = SequentialJudge.decide(config, List.of(
            SequentialMetric.of("errors", true, equal(config, 10, 2), config),
            SequentialMetric.of("latency", true, latency, config)));
        assertEquals(SequentialAction.CONTINUE, d.action());
        assertEquals(MetricStatus.NO_EVIDENCE, d.metrics().get(1).status());
    }

    @Test
    void theAlphaSplitIsEnforcedOverTheTestsOfTheAnalysis() {
        SequentialConfig split = CONFIG.withSplitAlpha(true);
        assertEquals(0.025, split.testAlpha(2), 1e-15);
        CountRatioEProcess atFullAlpha = equal(CONFIG, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SequentialJudge.decide(split,
            List.of(SequentialMetric.of("errors", true, atFullAlpha, split),
                SequentialMetric.of("errors2", true, equal(split, 1, 2), split))));
        assertEquals("errors was started with other parameters (alpha 0.05 -> 0.025): they must stay fixed for the "
            + "whole analysis", e.getMessage());
    }

    @Test
    void aTemplateChangedMidAnalysisIsRefused() {
        CountRatioEProcess started = equal(CONFIG, 3, 1);
        SequentialConfig changed = CONFIG.withSigma(0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SequentialJudge.decide(changed, List.of(SequentialMetric.of("errors", true, started, changed))));
        assertEquals("errors was started with other parameters (sigma 0.5 -> 0.2): they must stay fixed for the "
            + "whole analysis", e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
            () -> new SequentialMetric("errors", true, Direction.EITHER, 1.25, started));
        assertEquals("errors was started for direction INCREASE, not EITHER: the direction cannot change "
            + "mid-analysis", d.getMessage());
    }

    @Test
    void theFastModeSaysItsGuaranteeIsAsymptotic() {
        SequentialConfig config = CONFIG.withFastMode(true);
        RankZMixture z = config.startFastRanks(Direction.INCREASE, 1).update(new double[] {3, 4, 5},
            new double[] {1, 2, 3});
        SequentialDecision d = SequentialJudge.decide(config, List.of(SequentialMetric.of("latency", true, z, config)));
        assertTrue(d.reason().contains("guarantee asymptotic only"), d.reason());
    }

    @Test
    void defaultsAreTheSpecificationsOnes() {
        SequentialConfig c = SequentialConfig.defaults();
        assertEquals(0.05, c.alpha());
        assertEquals(0.5, c.sigma());
        assertEquals(0.5, c.tau());
        assertEquals(List.of(0.5, 0.99), c.quantiles());
        assertEquals(3000, c.tOpt());
        assertEquals(5, c.vOpt());
        assertEquals(1.25, c.rTol());
        assertEquals(false, c.earlyPromote());
        assertEquals(false, c.splitAlpha());
        assertEquals(false, c.fastMode());
        assertEquals(10, c.minPromoteIntervals());
        assertEquals(2, c.startQuantiles(Direction.INCREASE, 3).size());
    }
}
