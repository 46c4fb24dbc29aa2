package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Beta;
import org.junit.jupiter.api.Test;

class QuantileEProcessTest {

    @Test
    void doubledSpreadAtTheSameMedianIsCaughtByP99AndMissedByTheRankTest() {
        // Kayenta #780: variance grows at the same location and the rank test passes.
        SplittableRandom rng = new SplittableRandom(780);
        BatchRankEProcess rank = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE);
        QuantileEProcess p99 = QuantileEProcess.start(0.05, 0.99, 3000, Direction.INCREASE);
        int caughtAt = 0;
        for (int t = 1; t <= 30 && caughtAt == 0; t++) {
            double[] canary = lognormal(rng, 300, 1.0); // σ_log 1.0: twice the spread, same median 100 ms
            double[] stable = lognormal(rng, 300, 0.5);
            rank = rank.update(canary, stable);
            p99 = p99.update(canary, stable);
            caughtAt = p99.crossed() ? t : 0;
        }
        assertTrue(caughtAt > 0, p99.toString());
        assertTrue(p99.canaryQuantile() > 1.5 * p99.stableQuantile());
        assertFalse(rank.crossed(), rank.toString());
    }

    @Test
    void aLongerTailAtTheSameMedianIsCaughtByP99() {
        // 3 % of canary requests take a slow path (×6): the median moves < 2 %, p99 moves a lot.
        SplittableRandom rng = new SplittableRandom(99);
        QuantileEProcess p99 = QuantileEProcess.start(0.05, 0.99, 3000, Direction.INCREASE);
        QuantileEProcess p50 = QuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE);
        int t = 0;
        while (!p99.crossed() && t < 30) {
            t++;
            double[] canary = lognormal(rng, 300, 0.5);
            for (int i = 0; i < canary.length; i++) {
                canary[i] *= rng.nextDouble() < 0.03 ? 6 : 1;
            }
            double[] stable = lognormal(rng, 300, 0.5);
            p99 = p99.update(canary, stable);
            p50 = p50.update(canary, stable);
        }
        assertTrue(p99.crossed(), p99.toString());
        assertFalse(p50.crossed(), p50.toString());
    }

    @Test
    void aFasterCanaryIsNotARegressionForIncrease() {
        SplittableRandom rng = new SplittableRandom(5);
        QuantileEProcess p50 = QuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE);
        for (int t = 0; t < 5; t++) {
            p50 = p50.update(scale(lognormal(rng, 300, 0.5), 0.7), lognormal(rng, 300, 0.5));
        }
        assertTrue(p50.maxLogM() >= p50.threshold(), "the quantiles differ");
        assertFalse(p50.crossed(), "but the canary is better, not worse");
    }

    @Test
    void infimumEqualsBruteForceOverEveryCandidateQuantileWithoutTies() {
        SplittableRandom rng = new SplittableRandom(6);
        double[] c = lognormal(rng, 37, 0.5);
        double[] s = scale(lognormal(rng, 53, 0.5), 1.3);
        QuantileEProcess q = QuantileEProcess.start(0.05, 0.5, 100, Direction.EITHER).update(c, s);
        double[] pooled = concat(c, s);
        Arrays.sort(pooled);
        double brute = Double.POSITIVE_INFINITY;
        for (int i = -1; i < pooled.length; i++) {
            double x = i < 0 ? pooled[0] - 1 : pooled[i]; // each order statistic; gaps equal the one below
            brute = Math.min(brute, g(count(c, x), c.length, 0.5, 100) + g(count(s, x), s.length, 0.5, 100));
        }
        assertEquals(brute, q.logM(), 1e-9);
        assertTrue(q.logM() > 0);
    }

    @Test
    void serialisedStateKeepsEveryValueSorted() {
        QuantileEProcess q = QuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE)
            .update(new double[] {3, 1, 2}, new double[] {5, 4})
            .update(new double[] {0.5}, new double[] {6, 1});
        assertEquals(Arrays.toString(new double[] {0.5, 1, 2, 3}), Arrays.toString(q.canary()));
        assertEquals(Arrays.toString(new double[] {1, 4, 5, 6}), Arrays.toString(q.stable()));
        assertEquals(2, q.looks());
    }

    /** Direct g(k) with commons-math3's log-beta, as written in docs/statistics.md, Informative tests. */
    private static double g(int k, int n, double p, double tOpt) {
        double l = Math.log(20);
        double v = p * (1 - p);
        double r = Math.max(tOpt * v / (2 * l + Math.log(1 + 2 * l)) - v, 1e-3 * v);
        double a = r / (1 - p);
        double b = r / p;
        return Beta.logBeta(a + k, b + n - k) - Beta.logBeta(a, b) - k * Math.log(p) - (n - k) * Math.log(1 - p);
    }

    private static int count(double[] v, double x) {
        return (int) Arrays.stream(v).filter(y -> y <= x).count();
    }

    static double[] lognormal(SplittableRandom rng, int n, double sigmaLog) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 100 * Math.exp(sigmaLog * rng.nextGaussian());
        }
        return v;
    }

    private static double[] scale(double[] v, double f) {
        return Arrays.stream(v).map(x -> x * f).toArray();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
