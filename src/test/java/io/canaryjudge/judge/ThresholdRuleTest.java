package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ThresholdRuleTest {

    private final MetricJudge judge = new MetricJudge();

    private static MetricSpec cpu(Threshold threshold) {
        return MetricSpec.builder("cpu", MetricKind.THRESHOLD).threshold(threshold).build();
    }

    @Test
    void absoluteUpperBoundIsHighAndNeedsNoStableData() {
        MetricResult r = judge.judge(cpu(Threshold.atQuantile(0.5).withAbsolute(0, 0.8)),
            new Sample.Continuous(new double[] {0.9, 0.95, 0.85}, new double[0]));
        assertEquals(Classification.HIGH, r.classification());
        assertEquals("cpu is HIGH: canary median 0.9000 vs stable NaN (n=3/0) is above the absolute bound 0.8000.",
            r.explanation());
    }

    @Test
    void relativeBoundsCompareWithStable() {
        Threshold t = Threshold.atQuantile(0.5).withRelative(0.2, 0.2);
        double[] stable = {1.0, 1.0, 1.0};
        assertEquals(Classification.PASS, judge.judge(cpu(t), new Sample.Continuous(new double[] {1.1}, stable)).classification());
        assertEquals(Classification.HIGH, judge.judge(cpu(t), new Sample.Continuous(new double[] {1.3}, stable)).classification());
        assertEquals(Classification.LOW, judge.judge(cpu(t), new Sample.Continuous(new double[] {0.7}, stable)).classification());
    }

    @Test
    void relativeBoundWithoutStableDataIsNoData() {
        MetricResult r = judge.judge(cpu(Threshold.atQuantile(0.99).withRelative(Double.NaN, 0.25)),
            new Sample.Continuous(new double[] {1, 2}, new double[0]));
        assertEquals(Classification.NO_DATA, r.classification());
    }
}
