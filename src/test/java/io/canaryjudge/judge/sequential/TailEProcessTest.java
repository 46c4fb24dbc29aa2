package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/** The slow-tail test: counts above a threshold set before each interval, fed to the count e-process. */
class TailEProcessTest {

    private static final double[] BOUNDS = {0.05, 0.1, 0.25, 0.5, 1};

    @Test
    void theFirstIntervalOnlySetsTheThresholdThenCountsAboveItExactly() {
        TailEProcess t = TailEProcess.start(0.05, 0.5, 0.99, new Margins(1.5, 3));
        // pooled 200: 2 above 0.5 (1 % ), so the smallest boundary with <= 1 % above is 0.5
        TailEProcess first = t.updateHistogram(BOUNDS, new long[] {20, 50, 25, 4, 1, 0}, new long[] {20, 50, 25, 4, 1, 0});
        assertEquals(0, first.looks(), "no threshold before the first interval: no look");
        assertEquals(0.5, first.nextThreshold());
        // second interval: above 0.5 are the buckets (0.5, 1] and (1, +Inf]
        TailEProcess second = first.updateHistogram(BOUNDS, new long[] {10, 20, 10, 5, 3, 2},
            new long[] {20, 50, 25, 4, 1, 0});
        assertEquals(1, second.looks());
        assertEquals(5, second.counts().canaryErrors(), "3 + 2 canary observations above 0.5");
        assertEquals(1, second.counts().stableErrors());
        assertEquals(50, second.counts().canaryExposure());
        assertEquals(0.5, second.lastThreshold());
    }

    @Test
    void aSmallShareOfMuchSlowerRequestsAbortsWithinTenIntervals() {
        Well19937c rng = new Well19937c(7);
        TailEProcess t = TailEProcess.start(0.05, 0.5, 0.99, new Margins(1.5, 3));
        int crossedAt = -1;
        for (int i = 1; i <= 10 && crossedAt < 0; i++) {
            double[] c = new double[1200];
            double[] s = new double[1200];
            for (int k = 0; k < 1200; k++) {
                c[k] = 0.1 * Math.exp(0.5 * rng.nextGaussian()) * (rng.nextDouble() < 0.05 ? 5 : 1);
                s[k] = 0.1 * Math.exp(0.5 * rng.nextGaussian());
            }
            t = t.update(c, s);
            crossedAt = t.crossed() ? i : -1;
        }
        assertTrue(crossedAt > 0 && crossedAt <= 3, "5 % of requests 5x slower: " + crossedAt + " " + t.counts());
        assertTrue(t.counts().estimate() > 2.5, "about 5x stable's share above p99: " + t.counts().estimate());
    }

    @Test
    void anAaTailUnderARampAndSharedDriftRarelyAborts() {
        int aborts = 0;
        int reps = 200;
        for (int r = 0; r < reps; r++) {
            Well19937c rng = new Well19937c(100 + r);
            TailEProcess t = TailEProcess.start(0.05, 0.5, 0.99, new Margins(1.5, 3));
            for (int i = 0; i < 20 && !t.crossed(); i++) {
                double share = Math.min(0.5, 0.05 + 0.05 * i);
                double drift = 1 + 0.3 * Math.sin(2 * Math.PI * i / 9);
                int nc = (int) (2400 * share);
                double[] c = new double[nc];
                double[] s = new double[2400 - nc];
                for (int k = 0; k < c.length; k++) {
                    c[k] = drift * 0.1 * Math.exp(0.5 * rng.nextGaussian());
                }
                for (int k = 0; k < s.length; k++) {
                    s[k] = drift * 0.1 * Math.exp(0.5 * rng.nextGaussian());
                }
                t = t.update(c, s);
            }
            aborts += t.crossed() ? 1 : 0;
        }
        assertTrue(aborts <= 0.05 * reps, "A/A aborts under a ramp with drift: " + aborts + "/" + reps);
    }

    @Test
    void onlyATailOfSlowerRequests() {
        assertEquals("a tail of slower requests: direction must be INCREASE", org.junit.jupiter.api.Assertions
            .assertThrows(IllegalArgumentException.class, () -> new TailEProcess(0.99, Double.NaN, Double.NaN,
                CountRatioEProcess.start(0.05, 0.5, Direction.DECREASE, new Margins(1.5, 3)))).getMessage());
    }
}
