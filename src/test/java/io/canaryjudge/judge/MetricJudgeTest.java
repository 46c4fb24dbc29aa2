package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricJudgeTest {

    private final MetricJudge judge = new MetricJudge();

    private static MetricSpec.Builder latency() {
        return MetricSpec.builder("latency", MetricKind.CONTINUOUS);
    }

    private static double[] normal(SplittableRandom random, int n, double mean, double sd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + sd * KayentaMisjudgementTest.gaussian(random);
        }
        return v;
    }

    @Test
    void significantButTinyChangePasses() {
        SplittableRandom random = new SplittableRandom(11);
        // +0.5 % on 20,000 points: very significant, far below the 10 % tolerance.
        MetricResult r = judge.judge(latency().build(),
            new Sample.Continuous(normal(random, 20_000, 100.5, 2), normal(random, 20_000, 100, 2)));
        assertTrue(r.pValue() < 1e-6, "p " + r.pValue());
        assertEquals(Classification.PASS, r.classification(), r.explanation());
        assertEquals("significant-but-within-tolerance", r.rule());
    }

    @Test
    void largeSignificantIncreaseIsHighWithTheIntervalClearingTheTolerance() {
        SplittableRandom random = new SplittableRandom(12);
        MetricResult r = judge.judge(latency().build(),
            new Sample.Continuous(normal(random, 200, 130, 5), normal(random, 200, 100, 5)));
        assertEquals(Classification.HIGH, r.classification());
        assertEquals("significant-increase-interval-beyond-tolerance", r.rule());
        assertEquals(0.30, r.effect(), 0.03);
        assertTrue(r.explanation().startsWith("latency is HIGH: canary median 1"), r.explanation());
        assertTrue(r.explanation().contains("[95.00% CI "), r.explanation());
    }

    @Test
    void decreaseOfAnIncreaseMetricPassesAndOfADecreaseMetricIsLow() {
        SplittableRandom random = new SplittableRandom(13);
        Sample.Continuous lower = new Sample.Continuous(normal(random, 100, 70, 5), normal(random, 100, 100, 5));
        assertEquals(Classification.PASS, judge.judge(latency().build(), lower).classification());
        assertEquals(Classification.LOW, judge.judge(latency().direction(Direction.DECREASE).build(), lower).classification());
        assertEquals(Classification.LOW, judge.judge(latency().direction(Direction.EITHER).build(), lower).classification());
    }

    @Test
    void absoluteToleranceWavesThroughSmallAbsoluteChanges() {
        SplittableRandom random = new SplittableRandom(14);
        Sample.Continuous plusThree = new Sample.Continuous(normal(random, 500, 13, 1), normal(random, 500, 10, 1));
        assertEquals(Classification.HIGH, judge.judge(latency().build(), plusThree).classification());
        assertEquals(Classification.PASS,
            judge.judge(latency().tolerance(new Tolerance(0.1, 5)).build(), plusThree).classification());
    }

    @Test
    void nanValuesAreDroppedAndCounted() {
        double[] canary = {1, 2, Double.NaN, 3, 4, 5, 6, 7, 8, 9, 10, Double.NaN};
        double[] stable = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        MetricResult r = judge.judge(latency().build(), new Sample.Continuous(canary, stable));
        assertEquals(2, r.canaryDropped());
        assertEquals(10, r.canaryCount());
        assertEquals(Classification.PASS, r.classification());
    }

    @Test
    void outlierRemovalUsesKayentasFences() {
        double[] canary = new double[40];
        Arrays.setAll(canary, i -> 100 + i % 5);
        canary[0] = 1e9; // a scrape glitch
        double[] stable = new double[40];
        Arrays.setAll(stable, i -> 100 + i % 5);
        MetricResult kept = judge.judge(latency().removeOutliers(true).build(), new Sample.Continuous(canary, stable));
        assertEquals(1, kept.canaryDropped());
        assertEquals(39, kept.canaryCount());
        assertEquals(Classification.PASS, kept.classification());
    }

    @Test
    void allTiedZeroVarianceDataGiveAResult() {
        double[] same = new double[20];
        Arrays.fill(same, 3);
        MetricResult r = judge.judge(latency().build(), new Sample.Continuous(same, same));
        assertEquals(Classification.PASS, r.classification());
        assertEquals(1, r.pValue());
        double[] higher = new double[20];
        Arrays.fill(higher, 9);
        MetricResult up = judge.judge(latency().build(), new Sample.Continuous(higher, same));
        assertEquals(Classification.HIGH, up.classification(), up.explanation());
        assertEquals(6, up.shift().estimate());
    }

    @Test
    void canaryWithoutDataIsNoData() {
        MetricResult r = judge.judge(latency().build(), new Sample.Continuous(new double[0], new double[] {1, 2}));
        assertEquals(Classification.NO_DATA, r.classification());
        assertEquals("latency has NO_DATA: the canary has no data.", r.explanation());
    }

    @Test
    void specPreconditionsHaveShortMessages() {
        assertEquals("minSamples must be >= 1",
            assertThrows(IllegalArgumentException.class, () -> latency().minSamples(0).build()).getMessage());
        assertEquals("THRESHOLD needs a threshold", assertThrows(IllegalArgumentException.class,
            () -> MetricSpec.builder("p99", MetricKind.THRESHOLD).build()).getMessage());
        assertEquals("relative must be >= 0",
            assertThrows(IllegalArgumentException.class, () -> Tolerance.relative(-1)).getMessage());
    }

    @Test
    void specDefaultsAreDocumented() {
        MetricSpec spec = latency().build();
        assertEquals(Direction.INCREASE, spec.direction());
        assertEquals(Tolerance.relative(0.10), spec.tolerance());
        assertEquals(10, spec.minSamples());
        assertEquals(0.95, spec.confidenceLevel());
        assertEquals("default", spec.group());
    }
}
