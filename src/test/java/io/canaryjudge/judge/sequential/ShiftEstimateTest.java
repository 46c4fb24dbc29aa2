package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShiftEstimateTest {

    @Test
    void theRatioOfPerIntervalMediansWeightedByCohortSizes() {
        ShiftEstimate s = ShiftEstimate.NONE.addSamples(new double[] {110, 120, 130}, new double[] {90, 100, 110})
            .addSamples(new double[] {240, 260}, new double[] {200, 200, 200, 200});
        double w1 = 3 * 3 / 6.0;
        double w2 = 2 * 4 / 6.0;
        assertEquals(Math.exp((w1 * Math.log(1.2) + w2 * Math.log(1.25)) / (w1 + w2)), s.ratio(), 1e-12);
        assertEquals(2, s.intervals());
    }

    @Test
    void histogramMediansAreInterpolatedInLogScale() {
        double[] bounds = {0.1, 0.4};
        // 10 below 0.1, 20 in (0.1, 0.4], 0 above: the median (15th) is a quarter into (0.1, 0.4] in log scale
        assertEquals(0.1 * Math.pow(4, 0.25), ShiftEstimate.median(bounds, new long[] {10, 20, 0}), 1e-12);
        assertTrue(Double.isNaN(ShiftEstimate.median(bounds, new long[] {1, 1, 10})), "in +Inf: no median");
        assertTrue(Double.isNaN(ShiftEstimate.NONE.addHistogram(bounds, new long[] {0, 0, 0}, new long[] {1, 1, 1})
            .ratio()));
    }
}
