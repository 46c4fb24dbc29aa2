package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CountsRuleTest {

    private final MetricJudge judge = new MetricJudge();

    private static MetricSpec errors(Direction direction, Tolerance tolerance) {
        return MetricSpec.builder("errors", MetricKind.COUNTS).direction(direction).tolerance(tolerance).build();
    }

    @Test
    void zeroExposureIsNoData() {
        MetricResult r = judge.judge(errors(Direction.INCREASE, Tolerance.none()), new Sample.Counts(0, 0, 3, 1000));
        assertEquals(Classification.NO_DATA, r.classification());
        assertEquals("errors has NO_DATA: the canary has no exposure (no traffic).", r.explanation());
    }

    @Test
    void noEventsInEitherCohortPasses() {
        MetricResult r = judge.judge(errors(Direction.INCREASE, Tolerance.none()), new Sample.Counts(0, 1000, 0, 1000));
        assertEquals(Classification.PASS, r.classification());
        assertEquals("no-events", r.rule());
    }

    @Test
    void pValueIsRsBinomTestOnTheCanaryShare() {
        // R: binom.test(12, 20, p = 1000/3000, alternative = "greater")$p.value
        MetricResult r = judge.judge(errors(Direction.INCREASE, Tolerance.none()), new Sample.Counts(12, 1000, 8, 2000));
        assertEquals(0.0129732968253003, r.pValue(), 1e-12);
        assertEquals(Classification.HIGH, r.classification(), r.explanation());
        assertEquals(3.0, r.shift().estimate(), 1e-12); // (12/1000) / (8/2000)
    }

    @Test
    void significantIncreaseWithinAbsoluteToleranceOfRatePasses() {
        // 0.5 % vs 0.3 % error rate on lots of traffic: significant, but below a 1 percentage-point tolerance.
        MetricResult r = judge.judge(errors(Direction.INCREASE, Tolerance.absolute(0.01)),
            new Sample.Counts(500, 100_000, 300, 100_000));
        assertTrue(r.pValue() < 1e-9);
        assertEquals(Classification.PASS, r.classification());
        assertEquals("significant-but-within-tolerance", r.rule());
    }

    @Test
    void decreaseIsLowOnlyWhenDecreaseIsBad() {
        Sample.Counts fewer = new Sample.Counts(10, 10_000, 100, 10_000);
        assertEquals(Classification.PASS, judge.judge(errors(Direction.INCREASE, Tolerance.none()), fewer).classification());
        assertEquals(Classification.LOW, judge.judge(errors(Direction.DECREASE, Tolerance.none()), fewer).classification());
        assertEquals(Classification.LOW, judge.judge(errors(Direction.EITHER, Tolerance.none()), fewer).classification());
    }

    @Test
    void negativeCountsAreRejected() {
        assertEquals("canaryEvents must be finite and >= 0",
            assertThrows(IllegalArgumentException.class, () -> new Sample.Counts(-1, 1, 1, 1)).getMessage());
    }

    @Test
    void kindMismatchIsAnError() {
        MetricResult r = judge.judge(errors(Direction.INCREASE, Tolerance.none()),
            new Sample.Continuous(new double[] {1}, new double[] {1}));
        assertEquals(Classification.ERROR, r.classification());
        assertEquals("errors is a COUNTS metric but got Continuous data.", r.explanation());
    }
}
