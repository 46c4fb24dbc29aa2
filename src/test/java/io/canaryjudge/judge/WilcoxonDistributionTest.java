package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WilcoxonDistributionTest {

    @Test
    void quantilesEqualRsQwilcox() {
        // R: qwilcox(c(0.025, 0.05, 0.5, 0.975), 7, 9) = 13 16 31 50
        WilcoxonDistribution d = new WilcoxonDistribution(7, 9);
        assertEquals(13, d.quantile(0.025));
        assertEquals(16, d.quantile(0.05));
        assertEquals(31, d.quantile(0.5));
        assertEquals(50, d.quantile(0.975));
    }

    @Test
    void cdfEqualsRsPwilcox() {
        WilcoxonDistribution small = new WilcoxonDistribution(7, 9);
        assertEquals(0.011451048951048953, small.cdf(10), 1e-15);
        assertEquals(0.12613636363636366, small.cdf(20), 1e-15);
        assertEquals(0.5, small.cdf(31), 1e-15);
        WilcoxonDistribution large = new WilcoxonDistribution(40, 45);
        assertEquals(0.003948489782099579, large.cdf(600), 1e-9 * 0.004);
        assertEquals(0.67090106712635023, large.cdf(950), 1e-9);
    }

    @Test
    void survivalMirrorsTheCdf() {
        WilcoxonDistribution d = new WilcoxonDistribution(7, 9);
        assertEquals(d.cdf(10), d.survival(63 - 10), 1e-15);
        assertEquals(1, d.survival(0), 0);
    }

    @Test
    void theTableIsBuiltOnTheSmallerSideAndIsSymmetricInTheSizes() {
        WilcoxonDistribution a = new WilcoxonDistribution(3, 11);
        WilcoxonDistribution b = new WilcoxonDistribution(11, 3);
        for (int q = -1; q <= 34; q++) {
            assertEquals(a.cdf(q), b.cdf(q), 1e-15, "q = " + q);
        }
        // 1 canary value against 40,000 stable ones: U is uniform on 0..40,000; the other order needed 6 GB
        WilcoxonDistribution one = new WilcoxonDistribution(1, 40_000);
        assertEquals(1 / 40_001.0, one.cdf(0), 1e-15);
        assertEquals(20_001 / 40_001.0, one.cdf(20_000), 1e-12);
        assertEquals(20_000, one.quantile(0.5));
    }

    @Test
    void refusesTablesBeyondItsCap() {
        assertEquals("exact distribution needs n*m <= 40000",
            assertThrows(IllegalArgumentException.class, () -> new WilcoxonDistribution(300, 300)).getMessage());
    }
}
