package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import org.junit.jupiter.api.Test;

class RankZMixtureTest {

    @Test
    void fastModeIsOptInAndLabelledAsymptotic() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> SequentialConfig.defaults().startFastRanks(Direction.INCREASE, 1, 1));
        assertEquals("fast mode is asymptotic: opt in with withFastMode(true)", e.getMessage());
        RankZMixture z = SequentialConfig.defaults().withFastMode(true).startFastRanks(Direction.INCREASE, 1, 1);
        assertTrue(z.asymptotic());
        assertTrue(z.test().contains("asymptotic"));
    }

    @Test
    void oneIntervalMatchesTheOneSidedNormalMixtureByHand() {
        // canary {3, 4, 5} vs stable {1, 2, 3}: one tie, U = 8.5, σ² = 9/12·(7 − 6/30).
        RankZMixture z = RankZMixture.start(0.05, 5, Direction.INCREASE).update(new double[] {3, 4, 5},
            new double[] {1, 2, 3});
        double zStat = (8.5 - 4.5) / Math.sqrt(9 / 12.0 * (7 - 6 / 30.0));
        double l = Math.log(1 / 0.1);
        double rho = 5 / (2 * l + Math.log(1 + 2 * l));
        double expected = 0.5 * Math.log(4 * rho / (1 + rho)) + zStat * zStat / (2 * (1 + rho))
            + Math.log(new org.apache.commons.math3.distribution.NormalDistribution().cumulativeProbability(
                zStat / Math.sqrt(1 + rho)));
        assertEquals(zStat, z.meanZ(), 1e-12);
        assertEquals(expected, z.logM(), 1e-12);
    }

    @Test
    void logPhiStaysFiniteFarInTheLowerTail() {
        assertEquals(Math.log(0.5), LogMath.logPhi(0), 1e-15);
        assertEquals(-0.5 * 40 * 40 - 0.5 * Math.log(2 * Math.PI) - Math.log(40), LogMath.logPhi(-40), 1e-3);
        assertTrue(Double.isFinite(LogMath.logPhi(-1e4)));
    }

    @Test
    void allTiedDataOnlyCountsAsALook() {
        RankZMixture z = RankZMixture.start(0.05, 5, Direction.INCREASE).update(new double[] {1, 1}, new double[] {1});
        assertEquals(1, z.looks());
        assertEquals(0, z.intervals());
        assertEquals(0, z.logM());
    }
}
