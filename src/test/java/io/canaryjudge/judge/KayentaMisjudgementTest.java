package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Cases Kayenta's users reported as misjudged (in Kayenta's issue tracker, e.g. #426 on sparse errors); each must be judged right here. */
class KayentaMisjudgementTest {

    private final MetricJudge judge = new MetricJudge();
    private final Scorer scorer = Scorer.of(95, 75);

    private static MetricSpec latency() {
        return MetricSpec.builder("latency", MetricKind.CONTINUOUS).build();
    }

    private static double[] repeat(double value, int times) {
        double[] v = new double[times];
        Arrays.fill(v, value);
        return v;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void sevenOfTenPointsAtHundredTimesIsHighNotPass() { // spinnaker#6278
        double[] canary = concat(repeat(100, 7), repeat(1, 3));
        MetricResult r = judge.judge(latency(), new Sample.Continuous(canary, repeat(1, 10)));
        assertEquals(Classification.HIGH, r.classification(), r.explanation());
        assertEquals(85, r.u());
        assertTrue(r.pValue() < 0.001, "p " + r.pValue());
        assertEquals(99, r.shift().estimate(), 1e-6);
        // The interval reaches down to ~0 (the rank test cannot exclude a tiny shift with 10 points);
        // the significant estimate of +99 decides, which is exactly what Kayenta's band missed.
        assertTrue(r.shift().lower() < 0.01);
        assertEquals("significant-increase-estimate-beyond-tolerance", r.rule());
    }

    @Test
    void sparseErrorsAgainstAnErrorFreeControlAreHigh() { // kayenta#426, #377
        // 60 one-minute intervals, almost all zero: 6 canary errors in 6,000 requests, none in stable.
        MetricSpec errors = MetricSpec.builder("errors", MetricKind.COUNTS).tolerance(Tolerance.none()).build();
        MetricResult r = judge.judge(errors, new Sample.Counts(6, 6_000, 0, 6_000));
        assertEquals(Classification.HIGH, r.classification(), r.explanation());
        assertEquals(1.0 / 64, r.pValue(), 1e-12); // 0.5^6: all six errors fell in the canary
        assertTrue(r.shift().lower() > 1, "rate ratio lower end " + r.shift().lower());
    }

    @Test
    void theSameSparseErrorsAsATimeSeriesOfRatiosAreHighThroughTheDifferenceOfMeans() {
        double[] canary = repeat(0, 60);
        double[] stable = repeat(0, 60);
        for (int i = 0; i < 6; i++) {
            canary[i * 10] = 0.01; // 1 error of 100 requests in 6 of 60 minutes
        }
        MetricResult r = judge.judge(latencyLike("error-ratio"), new Sample.Continuous(canary, stable));
        // Kayenta's view: a series of per-minute ratios. The rank test finds it significant, but the median shift
        // is 0 (54 of 60 minutes are zero in both), so a shift-based judge passes it; both medians on the same value
        // make the judge measure the shift by the difference of means instead.
        assertEquals(Classification.HIGH, r.classification(), r.explanation());
        assertEquals("significant-increase-mean-beyond-tolerance", r.rule());
        assertEquals(0, r.shift().estimate(), 1e-12);
        assertTrue(r.explanation().contains("means canary 0.001000 vs stable 0.000"), r.explanation());
        // The same data as counts with exposure is HIGH (see sparseErrorsAgainstAnErrorFreeControlAreHigh).
        assertEquals(Classification.HIGH, judge.judge(MetricSpec.builder("errors", MetricKind.COUNTS)
            .tolerance(Tolerance.none()).build(), new Sample.Counts(6, 6_000, 0, 6_000)).classification());
    }

    private static MetricSpec latencyLike(String name) {
        return MetricSpec.builder(name, MetricKind.CONTINUOUS).tolerance(Tolerance.none()).build();
    }

    @Test
    void controlWithoutDataIsNoDataAndNeverPromotes() { // kayenta#799
        MetricResult r = judge.judge(latency(), new Sample.Continuous(repeat(5, 20), new double[0]));
        assertEquals(Classification.NO_DATA, r.classification());
        assertEquals("latency has NO_DATA: the stable cohort has no data.", r.explanation());
        ScoreResult s = scorer.score(List.of(r));
        assertNotEquals(Verdict.PROMOTE, s.verdict());
    }

    @Test
    void bothCohortsEmptyOrAllNaNIsNoDataAndNeverPromotes() { // kayenta#700
        MetricResult empty = judge.judge(latency(), new Sample.Continuous(new double[0], new double[0]));
        MetricResult nan = judge.judge(latency(),
            new Sample.Continuous(repeat(Double.NaN, 12), repeat(Double.NaN, 12)));
        assertEquals(Classification.NO_DATA, empty.classification());
        assertEquals(Classification.NO_DATA, nan.classification());
        assertEquals(12, nan.canaryDropped());
        MetricSpec critical = MetricSpec.builder("latency", MetricKind.CONTINUOUS).critical(true).build();
        MetricResult criticalEmpty = judge.judge(critical, new Sample.Continuous(new double[0], new double[0]));
        assertEquals(Verdict.INCONCLUSIVE, scorer.score(List.of(criticalEmpty)).verdict());
        assertEquals(Verdict.INCONCLUSIVE, scorer.score(List.of(empty, nan)).verdict());
    }

    @Test
    void largeDeviationOnFewPointsIsNoDataNotASilentPass() { // kayenta#633
        double[] stable = {100, 102, 98};
        double[] canary = {750, 760, 745}; // +650 %
        MetricResult r = judge.judge(latency(), new Sample.Continuous(canary, stable));
        assertEquals(Classification.NO_DATA, r.classification());
        assertEquals("too-few-samples", r.rule());
        assertTrue(r.explanation().contains("too few samples: 3 canary and 3 stable values, 10 required"));
    }

    @Test
    void largeDeviationWithEnoughPointsIsHigh() { // kayenta#633
        SplittableRandom random = new SplittableRandom(633);
        double[] stable = new double[12];
        double[] canary = new double[12];
        for (int i = 0; i < 12; i++) {
            stable[i] = 100 + random.nextDouble(-5, 5);
            canary[i] = 750 + random.nextDouble(-5, 5);
        }
        MetricResult r = judge.judge(latency(), new Sample.Continuous(canary, stable));
        assertEquals(Classification.HIGH, r.classification(), r.explanation());
        assertEquals(TestMethod.EXACT, MannWhitney.withDefaults().compare(canary, stable).method());
        assertTrue(r.effect() > 5, "effect " + r.effect());
    }

    @Test
    void growingVarianceAtTheSameLocationIsCaughtByAP99Threshold() { // kayenta#780
        SplittableRandom random = new SplittableRandom(780);
        double[] stable = new double[500];
        double[] canary = new double[500];
        for (int i = 0; i < 500; i++) {
            stable[i] = 100 + 5 * gaussian(random);
            canary[i] = 100 + 30 * gaussian(random); // same median, six times the spread
        }
        // The rank test of location cannot see it: that is what it is designed to ignore.
        MetricResult location = judge.judge(latency(), new Sample.Continuous(canary, stable));
        assertEquals(Classification.PASS, location.classification(), location.explanation());
        // A p99 relative bound does: the canary's tail is far above stable's.
        MetricSpec p99 = MetricSpec.builder("latency-p99", MetricKind.THRESHOLD)
            .threshold(Threshold.atQuantile(0.99).withRelative(Double.NaN, 0.25)).build();
        MetricResult tail = judge.judge(p99, new Sample.Continuous(canary, stable));
        assertEquals(Classification.HIGH, tail.classification(), tail.explanation());
        assertEquals("above-relative-upper", tail.rule());
        assertTrue(tail.explanation().startsWith("latency-p99 is HIGH: canary p99 "), tail.explanation());
    }

    @Test
    void everyTestedResultCarriesUAndP() { // kayenta#521
        MetricResult r = judge.judge(latency(), new Sample.Continuous(
            new double[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5}));
        assertFalse(Double.isNaN(r.u()));
        assertFalse(Double.isNaN(r.pValue()));
        assertTrue(r.explanation().contains("U=99.00"), r.explanation());
        assertTrue(r.explanation().contains("p="), r.explanation());
    }

    static double gaussian(SplittableRandom random) {
        // Box-Muller: deterministic, no dependency on java.util.Random's sequence.
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
