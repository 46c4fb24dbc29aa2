package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Margins on histogram buckets: the canary's counts divided by the margin and spread over stable's buckets. */
class ScaledBucketsTest {

    private static final double[] BOUNDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    @Test
    void scaleOneIsTheObservedHistogram() {
        long[] c = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        long[] s = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        TieGroups g = TieGroups.ofScaledBuckets(BOUNDS, c, s, 1);
        assertArrayEquals(Arrays.stream(c).asDoubleStream().toArray(), g.canary, 1e-12);
        assertArrayEquals(Arrays.stream(s).asDoubleStream().toArray(), g.stable);
    }

    @Test
    void dividingMovesMassDownInLogScaleAndKeepsTheTotal() {
        long[] c = new long[10];
        c[4] = 100; // (0.1, 0.25]
        TieGroups g = TieGroups.ofScaledBuckets(BOUNDS, c, new long[10], 1.25);
        // (0.1, 0.25] / 1.25 = (0.08, 0.2]: ln(0.1/0.08) / ln(0.2/0.08) of it falls into (0.05, 0.1]
        double below = 100 * Math.log(0.1 / 0.08) / Math.log(0.2 / 0.08);
        assertEquals(below, g.canary[3], 1e-9);
        assertEquals(100 - below, g.canary[4], 1e-9);
        assertEquals(100, Arrays.stream(g.canary).sum(), 1e-9);
        long[] first = new long[10];
        first[0] = 10; // (0, 0.01] divided by 2 is (0, 0.005]: stays in the first bucket
        assertEquals(10, TieGroups.ofScaledBuckets(BOUNDS, first, new long[10], 2).canary[0], 1e-12);
    }

    @Test
    void aCanaryExactlyAtTheMarginIsNotShownWorseThanIt() {
        // a canary 25 % slower everywhere, tested against a 25 % tolerance: the divided canary is the stable
        // histogram up to the within-bucket interpolation, so the abort test must not cross in 20 intervals
        double[] bounds = new double[40];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = 0.01 * Math.pow(1.25, i);
        }
        long[] stable = new long[41];
        long[] canary = new long[41];
        for (int i = 10; i < 30; i++) {
            stable[i] = 50;
            canary[i + 1] = 50; // one bucket up = ×1.25
        }
        BatchRankEProcess at = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE, 1.25);
        BatchRankEProcess plain = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE);
        for (int t = 0; t < 20; t++) {
            at = at.updateHistogram(bounds, canary, stable);
            plain = plain.updateHistogram(bounds, canary, stable);
        }
        assertTrue(plain.crossed(), "without the margin the 25 % shift is a regression");
        assertTrue(at.logM() < 0, "at its tolerance it is not: " + at.logM());
    }
}
