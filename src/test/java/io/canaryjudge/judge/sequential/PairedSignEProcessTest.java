package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairedSignEProcessTest {

    private static final double[] T2 = {30, 60};

    /** The grid mixture written out: the mean over λ_j of (1 + λ_j)^worse (1 − λ_j)^better. */
    @Test
    void logMIsTheGridAverageOfTheBets() {
        for (int[] wb : new int[][] {{0, 0}, {7, 0}, {6, 0}, {5, 3}, {0, 4}, {30, 10}}) {
            double sum = 0;
            for (int j = 0; j < PairedSignEProcess.GRID; j++) {
                double l = (j + 0.5) / PairedSignEProcess.GRID;
                sum += Math.pow(1 + l, wb[0]) * Math.pow(1 - l, wb[1]);
            }
            assertEquals(Math.log(sum / PairedSignEProcess.GRID), PairedSignEProcess.logM(wb[0], wb[1]), 1e-12,
                wb[0] + "/" + wb[1]);
        }
        assertEquals(0, PairedSignEProcess.logM(0, 0), 1e-15);
        // seven pairs all worse cross ln 20 at alpha 0.05, six do not: 3.5 min at a 30 s step
        assertTrue(PairedSignEProcess.logM(7, 0) >= Math.log(20), "" + PairedSignEProcess.logM(7, 0));
        assertTrue(PairedSignEProcess.logM(6, 0) < Math.log(20), "" + PairedSignEProcess.logM(6, 0));
    }

    @Test
    void pairsPointsByTimestampAndAveragesSeriesPerTimestamp() {
        PairedSignEProcess p = PairedSignEProcess.start(0.05, Direction.INCREASE, 1.1);
        // two canary series at t=30 (mean 12 → 12/1.1 = 10.9 > 10: worse), one at t=60 (10.5/1.1 < 10: better);
        // t=90 has no stable point, t=120's canary is NaN: neither pairs
        p = p.update(new double[] {11, 13, 10.5, 50, Double.NaN}, new double[] {30, 30, 60, 90, 120},
            new double[] {10, 10, 10}, new double[] {30, 60, 120});
        assertEquals(1, p.worse());
        assertEquals(1, p.better());
        assertEquals(1, p.looks());
        assertEquals(PairedSignEProcess.logM(1, 1), p.logM(), 1e-15);
        // ties count in neither
        p = p.update(new double[] {11}, new double[] {150}, new double[] {10}, new double[] {150});
        assertEquals(2, p.pairs());
        assertEquals(2, p.looks());
    }

    @Test
    void aDecreaseBetsOnTheCanaryBelowStable() {
        PairedSignEProcess p = PairedSignEProcess.start(0.05, Direction.DECREASE, 1 / 1.2);
        // canary 90 ÷ (1/1.2) = 108 > 100: not worse; canary 70 ÷ 0.833 = 84 < 100: worse
        p = p.update(new double[] {90, 70}, T2, new double[] {100, 100}, T2);
        assertEquals(1, p.worse());
        assertEquals(1, p.better());
    }

    @Test
    void aClearlyCostlierCanaryCrossesWithinTenIntervals() {
        Random rng = new Random(7);
        int crossed = 0;
        int reps = 1000;
        int pairsToCross = 0;
        for (int r = 0; r < reps; r++) {
            PairedSignEProcess p = PairedSignEProcess.start(0.05, Direction.INCREASE, 1.1);
            for (int t = 0; t < 10 && !p.crossed(); t++) {
                double drift = 1 + 0.3 * Math.sin(t);
                double[] c = new double[2];
                double[] s = new double[2];
                for (int i = 0; i < 2; i++) {
                    c[i] = 1.5 * drift * Math.exp(0.1 * rng.nextGaussian());
                    s[i] = drift * Math.exp(0.05 * rng.nextGaussian());
                }
                p = p.update(c, T2, s, T2);
            }
            if (p.crossed()) {
                crossed++;
                pairsToCross += p.pairs();
            }
        }
        // +50 % with 10 % noise: nearly every pair is worse than the 10 % tolerance, so 7 pairs (4 intervals) do it
        assertTrue(crossed >= 0.99 * reps, crossed + " of " + reps);
        assertTrue(pairsToCross / (double) crossed <= 8.5, "mean pairs " + pairsToCross / (double) crossed);
    }

    /**
     * At the tolerance boundary (canary = 1.1 × stable in level) with different noise per cohort (one canary pod,
     * many stable pods), shared drift and 40 intervals of 2 pairs, the crossing rate stays at or below alpha.
     */
    @Test
    void atTheToleranceFalseCrossingsStayBelowAlpha() {
        Random rng = new Random(11);
        int reps = 4000;
        int crossed = 0;
        for (int r = 0; r < reps; r++) {
            PairedSignEProcess p = PairedSignEProcess.start(0.05, Direction.INCREASE, 1.1);
            for (int t = 0; t < 40 && !p.crossed(); t++) {
                double drift = 1 + 0.5 * Math.sin(t / 3.0);
                double[] c = new double[2];
                double[] s = new double[2];
                for (int i = 0; i < 2; i++) {
                    c[i] = 1.1 * drift * Math.exp(0.2 * rng.nextGaussian());
                    s[i] = drift * Math.exp(0.05 * rng.nextGaussian());
                }
                p = p.update(c, T2, s, T2);
            }
            crossed += p.crossed() ? 1 : 0;
        }
        double rate = crossed / (double) reps;
        double se = Math.sqrt(0.05 * 0.95 / reps);
        assertTrue(rate <= 0.05 + 2 * se, "false crossing rate " + rate + " (MC se " + se + ")");
    }

    @Test
    void refusesDirectionEitherAndBadScales() {
        assertThrows(IllegalArgumentException.class, () -> PairedSignEProcess.start(0.05, Direction.EITHER, 1.1));
        assertThrows(IllegalArgumentException.class, () -> PairedSignEProcess.start(0.05, Direction.INCREASE, 0));
        assertThrows(IllegalArgumentException.class, () -> PairedSignEProcess.start(1, Direction.INCREASE, 1.1));
        assertFalse(PairedSignEProcess.start(0.05, Direction.INCREASE, 1.1).crossed());
    }
}
