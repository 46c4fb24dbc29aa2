package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MannWhitneyTest {

    private final MannWhitney test = MannWhitney.withDefaults();

    @Test
    void uCountsCanaryWinsWithHalfTies() {
        RankSumResult r = test.compare(new double[] {1, 2, 3}, new double[] {2, 0});
        assertEquals(4.5, r.u()); // 1>0, 2>0, 2=2 (½), 3>0, 3>2
        assertEquals(TestMethod.ASYMPTOTIC, r.method()); // a tie forbids the exact p, as in R
    }

    @Test
    void exactUnderFiftyWithoutTiesAsymptoticFromFifty() {
        SplittableRandom random = new SplittableRandom(1);
        assertEquals(TestMethod.EXACT, test.compare(random.doubles(49).toArray(), random.doubles(49).toArray()).method());
        assertEquals(TestMethod.ASYMPTOTIC, test.compare(random.doubles(50).toArray(), random.doubles(3).toArray()).method());
        assertEquals(TestMethod.ASYMPTOTIC,
            test.with(TestMethod.ASYMPTOTIC).compare(random.doubles(5).toArray(), random.doubles(5).toArray()).method());
        assertEquals(TestMethod.EXACT,
            test.with(TestMethod.EXACT).compare(random.doubles(80).toArray(), random.doubles(60).toArray()).method());
    }

    @Test
    void oneSidedIntervalsHaveAnInfiniteEnd() {
        double[] canary = {5.1, 6.3, 7.2, 8.8, 9.4};
        double[] stable = {1.2, 2.5, 3.3, 4.9, 6.1};
        assertEquals(Double.POSITIVE_INFINITY, test.with(Alternative.GREATER).compare(canary, stable).shift().upper());
        assertEquals(Double.NEGATIVE_INFINITY, test.with(Alternative.LESS).compare(canary, stable).shift().lower());
    }

    @Test
    void heavilyTiedDataWhereRInvertsTheIntervalGiveAnOrderedOne() {
        // R 4.2: wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE) answers conf.int
        // 6.7573917060704215e-06 3.3254698693927832e-06 (lower above upper), estimate 2.860562529347977e-05
        double[] x = {0, 1, 0, 2, 1, 0, 1, 0, 1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 2};
        double[] y = new double[29];
        y[26] = 1;
        y[28] = 1;
        RankSumResult r = MannWhitney.withDefaults().compare(x, y);
        assertEquals(TestMethod.ASYMPTOTIC, r.method());
        assertTrue(r.shift().lower() <= r.shift().upper(), r.shift().toString());
        assertTrue(r.shift().lower() <= 3.3254698693927832e-06 + 1e-9, "holds R's ends: " + r.shift());
        assertTrue(r.shift().upper() >= 6.7573917060704215e-06 - 1e-9, "holds R's ends: " + r.shift());
        assertTrue(r.shift().lower() <= r.shift().estimate() && r.shift().estimate() <= r.shift().upper());
        assertEquals(2.860562529347977e-05, r.shift().estimate(), 1e-9, "the estimate is R's");
    }

    @Test
    void identicalConstantSamplesGiveAResultNotAnException() {
        RankSumResult r = test.compare(new double[] {4, 4, 4}, new double[] {4, 4});
        assertEquals(3, r.u());
        assertEquals(1, r.pValue());
        assertEquals(new Shift(0, 0, 0, 0.95), r.shift());
    }

    @Test
    void differentConstantSamplesShiftByTheirDifference() {
        RankSumResult r = test.compare(new double[] {7, 7, 7, 7}, new double[] {4, 4, 4, 4});
        assertEquals(16, r.u());
        assertEquals(3, r.shift().estimate());
        assertTrue(r.pValue() < 0.05);
    }

    @Test
    void singleValuesWork() {
        RankSumResult r = test.compare(new double[] {2}, new double[] {1});
        assertEquals(1, r.u());
        assertEquals(1, r.shift().estimate());
    }

    @Test
    void preconditionsHaveShortMessages() {
        assertEquals("canary is empty",
            assertThrows(IllegalArgumentException.class, () -> test.compare(new double[0], new double[] {1})).getMessage());
        assertEquals("stable has a non-finite value", assertThrows(IllegalArgumentException.class,
            () -> test.compare(new double[] {1}, new double[] {Double.NaN})).getMessage());
        assertEquals("confidence level not in (0, 1)",
            assertThrows(IllegalArgumentException.class, () -> test.withConfidenceLevel(1)).getMessage());
        assertEquals("exact distribution needs n*m <= 40000", assertThrows(IllegalArgumentException.class,
            () -> test.with(TestMethod.EXACT).compare(seq(300, 0.25), seq(300, 0.5))).getMessage());
    }

    @Test
    void configurationIsImmutable() {
        MannWhitney greater = test.with(Alternative.GREATER);
        assertEquals(Alternative.TWO_SIDED, test.alternative());
        assertEquals(Alternative.GREATER, greater.alternative());
        assertSame(MannWhitney.withDefaults(), test);
    }

    @Test
    void largeSamplesStayFastAndCentred() {
        SplittableRandom random = new SplittableRandom(3);
        double[] canary = new double[100_000];
        double[] stable = new double[100_000];
        for (int i = 0; i < canary.length; i++) {
            canary[i] = 10 + random.nextGaussian();
            stable[i] = random.nextGaussian();
        }
        Shift s = test.compare(canary, stable).shift();
        assertEquals(10, s.estimate(), 0.02);
        assertTrue(s.lower() < s.estimate() && s.estimate() < s.upper());
    }

    private static double[] seq(int n, double offset) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + offset;
        }
        return v;
    }
}
