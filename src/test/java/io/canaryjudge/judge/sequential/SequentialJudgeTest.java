package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialJudgeTest {

    private static final SequentialConfig CONFIG = SequentialConfig.defaults();
    /** Errors: a 20 % rise is tolerated, doubling must be seen. */
    private static final Margins ERRORS = new Margins(1.2, 2);

    /** The equal_split_regression vector (canary ≈ 2.5× stable's errors) against margins ×1.2 / ×2. */
    private static CountRatioEProcess regression(int intervals, Margins margins) {
        long[][] rows = {{5, 2}, {6, 3}, {4, 1}, {7, 3}, {5, 2}, {6, 2}, {6, 3}, {5, 2}, {7, 2}, {6, 3}};
        CountRatioEProcess e = CONFIG.startCounts(Direction.INCREASE, 1, margins);
        for (int t = 0; t < intervals; t++) {
            e = e.update(new CountInterval(rows[t][0], rows[t][1], 300, 300));
        }
        return e;
    }

    private static CountRatioEProcess equal(SequentialConfig config, int intervals, long errors) {
        CountRatioEProcess e = config.startCounts(Direction.INCREASE, 1, ERRORS);
        for (int t = 0; t < intervals; t++) {
            e = e.update(new CountInterval(errors, errors, 5000, 5000));
        }
        return e;
    }

    private static SequentialDecision decide(SequentialConfig config, boolean planEnded, SequentialMetric... metrics) {
        return SequentialJudge.decide(config, List.of(metrics), planEnded, "5 min");
    }

    @Test
    void abortsOnlyWhenWorseThanTheToleranceAndSaysTheEffectFirst() {
        CountRatioEProcess e = regression(6, ERRORS);
        assertTrue(e.maxLogM() < e.threshold(), "6 intervals of ~2.5x are not yet shown above 1.2x");
        CountRatioEProcess ten = regression(10, ERRORS);
        SequentialDecision d = decide(CONFIG, false, SequentialMetric.counts("error-rate", true, ten));
        assertEquals(SequentialAction.ABORT, d.action(), d.reason());
        assertEquals(MetricStatus.REGRESSION, d.metrics().get(0).status());
        assertTrue(d.reason().startsWith("ABORT: error-rate 2.48× stable's rate (95 % bounds 1.3–5.05×"), d.reason());
        assertTrue(d.reason().contains("; 57 canary errors in 3,000 vs 23 in 3,000) after 5 min: worse than the 1.2× "
            + "tolerance (count e-process: ln M "), d.reason());
        assertTrue(ten.lower() > 1.2, "the one-sided lower bound is above the tolerance when it aborts: " + ten.lower());
    }

    @Test
    void withoutMarginsTheAbortTestIsTheReferenceOne() {
        CountRatioEProcess plain = CountRatioEProcess.start(0.05, 0.5, Direction.INCREASE);
        long[][] rows = {{5, 2}, {6, 3}, {4, 1}, {7, 3}, {5, 2}, {6, 2}};
        for (long[] r : rows) {
            plain = plain.update(new CountInterval(r[0], r[1], 300, 300));
        }
        assertEquals(3.3291405143038544, plain.logM(), 1e-9, "the reference vector's interval 6");
        SequentialDecision d = decide(CONFIG, false, SequentialMetric.counts("errors", true, plain));
        assertEquals(SequentialAction.ABORT, d.action());
        assertTrue(d.reason().contains("after 5 min: a regression (count e-process"), d.reason());
    }

    @Test
    void aNonCriticalCrossingIsReportedButDoesNotAbort() {
        SequentialDecision d = decide(CONFIG, false, SequentialMetric.counts("errors", false, regression(10, ERRORS)));
        assertEquals(SequentialAction.CONTINUE, d.action());
        assertEquals(MetricStatus.REGRESSION, d.metrics().get(0).status());
    }

    @Test
    void promotesEarlyOnlyWhenWithinToleranceAfterTheMinimumLooks() {
        SequentialConfig config = CONFIG.withEarlyPromote(true, 5);
        SequentialDecision tooEarly = decide(config, false, SequentialMetric.counts("errors", true, equal(config, 4,
            400)));
        assertEquals(MetricStatus.WITHIN_TOLERANCE, tooEarly.metrics().get(0).status());
        assertEquals(SequentialAction.CONTINUE, tooEarly.action());
        SequentialDecision d = decide(config, false, SequentialMetric.counts("errors", true, equal(config, 5, 400)));
        assertEquals(SequentialAction.PROMOTE, d.action(), d.reason());
        assertTrue(d.reason().startsWith("PROMOTE early: every critical metric is shown within its tolerance. errors "
            + "1× stable's rate (95 % bounds "), d.reason());
        assertTrue(d.reason().contains("within the 1.2× tolerance"), d.reason());
    }

    @Test
    void atThePlannedEndPromoteNeedsTheDetectableRegressionRuledOut() {
        // 5 errors a side per interval: by the end 50 vs 50, enough to rule out 2x but not to show within 1.2x
        CountRatioEProcess few = equal(CONFIG, 10, 5);
        SequentialDecision before = decide(CONFIG, false, SequentialMetric.counts("errors", true, few));
        assertEquals(MetricStatus.RULED_OUT, before.metrics().get(0).status());
        assertEquals(SequentialAction.CONTINUE, before.action(), "not before the planned end");
        SequentialDecision d = decide(CONFIG, true, SequentialMetric.counts("errors", true, few));
        assertEquals(SequentialAction.PROMOTE, d.action(), d.reason());
        assertTrue(d.reason().contains("rules out 2× (the regression it must detect), not yet shown within 1.2×"),
            d.reason());
        // 1 error a side per interval: 10 vs 10 cannot rule out 2x
        CountRatioEProcess tooFew = equal(CONFIG, 10, 1);
        SequentialDecision thin = decide(CONFIG, true, SequentialMetric.counts("errors", true, tooFew));
        assertEquals(MetricStatus.NO_EVIDENCE, thin.metrics().get(0).status());
        assertEquals(SequentialAction.CONTINUE, thin.action(), thin.reason());
        assertFalse(thin.metrics().get(0).powered());
        assertTrue(tooFew.upper() > 2, "its one-sided upper bound still includes 2x: " + tooFew.upper());
    }

    @Test
    void informativeTestsNeverDecide() {
        QuantileEProcess p99 = CONFIG.startQuantiles(Direction.INCREASE, 1).get(1);
        double[] slow = new double[400];
        double[] fast = new double[400];
        for (int i = 0; i < 400; i++) {
            slow[i] = 1000 + i;
            fast[i] = i;
        }
        for (int t = 0; t < 3; t++) {
            p99 = p99.update(slow, fast);
        }
        assertTrue(p99.crossed());
        SequentialDecision d = decide(CONFIG, true, SequentialMetric.counts("errors", true, equal(CONFIG, 10, 5)),
            SequentialMetric.informative("latency p99", p99));
        assertEquals(SequentialAction.PROMOTE, d.action(), d.reason());
        assertTrue(d.reason().contains("latency p99 (informative, never decides) canary "), d.reason());
    }

    @Test
    void aRankMetricIsPoweredThroughItsRuleOutTest() {
        BatchRankEProcess abort = CONFIG.startRanks(Direction.INCREASE, 1, 1.05);
        BatchRankEProcess ruleOut = CONFIG.startRanks(Direction.DECREASE, 1, 1.2);
        BatchRankEProcess within = CONFIG.startRanks(Direction.DECREASE, 1, 1.05);
        double[] same = new double[300];
        for (int i = 0; i < 300; i++) {
            same[i] = 100 * Math.exp(0.5 * org.apache.commons.math3.special.Erf.erfInv(2 * (i + 0.5) / 300 - 1)
                * Math.sqrt(2));
        }
        for (int t = 0; t < 3; t++) {
            abort = abort.update(same, same);
            ruleOut = ruleOut.update(same, same);
            within = within.update(same, same);
        }
        SequentialMetric m = SequentialMetric.ranks("latency", true, new Margins(1.05, 1.2), abort, ruleOut, within,
            1.0);
        SequentialDecision d = decide(CONFIG, true, m);
        assertEquals(MetricStatus.RULED_OUT, d.metrics().get(0).status(), d.reason());
        assertEquals(SequentialAction.PROMOTE, d.action());
        assertTrue(d.reason().contains("latency +0 % vs stable (per-interval medians"), d.reason());
        assertTrue(d.reason().contains("rules out +20 %"), d.reason());
    }

    @Test
    void aTemplateWithoutACriticalMetricNeverPromotes() {
        SequentialDecision d = decide(CONFIG, true, SequentialMetric.counts("errors", false, equal(CONFIG, 10, 400)));
        assertEquals(SequentialAction.CONTINUE, d.action());
    }

    @Test
    void aTemplateChangedMidAnalysisIsRefused() {
        CountRatioEProcess started = equal(CONFIG, 3, 100);
        SequentialConfig changed = CONFIG.withSigma(0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> decide(changed, false, SequentialMetric.counts("errors", true, started)));
        assertEquals("errors was started with other parameters (sigma 0.5 -> 0.2): they must stay fixed for the "
            + "whole analysis", e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
            () -> new SequentialMetric("errors", true, Direction.EITHER, null, started, Double.NaN, Double.NaN,
                Double.NaN, false));
        assertEquals("errors was started for direction INCREASE, not EITHER: the direction cannot change "
            + "mid-analysis", d.getMessage());
    }

    @Test
    void theFastModeSaysItsGuaranteeIsAsymptotic() {
        SequentialConfig config = CONFIG.withFastMode(true);
        RankZMixture z = config.startFastRanks(Direction.INCREASE, 1, 1).update(new double[] {3, 4, 5},
            new double[] {1, 2, 3});
        SequentialDecision d = decide(config, false, SequentialMetric.informative("latency", z));
        assertTrue(d.reason().contains("guarantee asymptotic only"), d.reason());
    }

    @Test
    void defaults() {
        SequentialConfig c = SequentialConfig.defaults();
        assertEquals(0.05, c.alpha());
        assertEquals(0.5, c.sigma());
        assertEquals(0.5, c.tau());
        assertEquals(List.of(0.5, 0.99), c.quantiles());
        assertEquals(3000, c.tOpt());
        assertEquals(5, c.vOpt());
        assertEquals(true, c.earlyPromote());
        assertEquals(false, c.splitAlpha());
        assertEquals(false, c.fastMode());
        assertEquals(5, c.minPromoteIntervals());
        assertEquals(20, c.maxIntervals(10));
        assertEquals(12, c.withMaxCount(12).maxIntervals(10));
        assertEquals(0.025, c.withSplitAlpha(true).testAlpha(2), 1e-15);
    }
}
