package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchRankEProcessTest {

    private static final BatchRankEProcess START = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE);

    @Test
    void histogramBucketsEqualRawValuesTiedWithinEachBucket() {
        long[] canaryBuckets = {3, 10, 7, 2, 0, 1};
        long[] stableBuckets = {9, 20, 6, 1, 1, 0};
        BatchRankEProcess fromBuckets = START.updateHistogram(canaryBuckets, stableBuckets);
        BatchRankEProcess fromValues = START.update(expand(canaryBuckets), expand(stableBuckets));
        assertEquals(fromValues.logM(), fromBuckets.logM(), 1e-12);
        assertEquals(fromValues.auc(), fromBuckets.auc(), 1e-15);
    }

    @Test
    void sharedDriftCancelsBecauseOnlyRanksWithinAnIntervalCount() {
        SplittableRandom rng = new SplittableRandom(1);
        BatchRankEProcess plain = START;
        BatchRankEProcess drifting = START;
        for (int t = 0; t < 5; t++) {
            double[] c = lognormal(rng, 40, 1.1);
            double[] s = lognormal(rng, 60, 1.0);
            double load = 1 + t; // both cohorts slow down together
            plain = plain.update(c, s);
            drifting = drifting.update(scale(c, load), scale(s, load));
        }
        assertEquals(plain.logM(), drifting.logM(), 1e-12);
    }

    @Test
    void decreaseIsIncreaseOfTheNegatedValues() {
        SplittableRandom rng = new SplittableRandom(2);
        BatchRankEProcess down = BatchRankEProcess.start(0.05, 0.5, Direction.DECREASE);
        BatchRankEProcess up = START;
        for (int t = 0; t < 3; t++) {
            double[] c = lognormal(rng, 30, 0.8);
            double[] s = lognormal(rng, 50, 1.0);
            down = down.update(c, s);
            up = up.update(scale(c, -1), scale(s, -1));
        }
        assertEquals(up.logM(), down.logM(), 1e-12);
        assertTrue(down.logM() > 0);
    }

    @Test
    void aClearlySlowerCanaryCrossesInTheFirstInterval() {
        SplittableRandom rng = new SplittableRandom(3);
        BatchRankEProcess e = START.update(lognormal(rng, 300, 1.2), lognormal(rng, 300, 1.0));
        assertTrue(e.crossed(), e.toString());
        assertTrue(e.auc() > 0.55);
    }

    @Test
    void anEmptyCohortOnlyCountsAsALook() {
        BatchRankEProcess e = START.update(new double[0], new double[] {1, 2, 3});
        assertEquals(1, e.looks());
        assertEquals(0, e.logM());
        assertArrayEquals(new double[2 * BatchRankEProcess.NODES + 1], e.ell());
        assertTrue(Double.isNaN(e.auc()));
    }

    @Test
    void identicalCohortsGiveNoEvidence() {
        SplittableRandom rng = new SplittableRandom(4);
        BatchRankEProcess e = START;
        for (int t = 0; t < 30; t++) {
            double[] v = lognormal(rng, 100, 1.0);
            e = e.update(v, v);
        }
        assertTrue(e.logM() < 0);
        assertFalse(e.crossed());
        assertEquals(0.5, e.auc(), 1e-12);
    }

    static double[] expand(long[] buckets) {
        int n = 0;
        for (long b : buckets) {
            n += (int) b;
        }
        double[] v = new double[n];
        int i = 0;
        for (int b = 0; b < buckets.length; b++) {
            for (long k = 0; k < buckets[b]; k++) {
                v[i++] = 10.0 * (b + 1);
            }
        }
        return v;
    }

    static double[] lognormal(SplittableRandom rng, int n, double factor) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 100 * factor * Math.exp(0.5 * rng.nextGaussian());
        }
        return v;
    }

    static double[] scale(double[] v, double f) {
        double[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= f;
        }
        return out;
    }
}
