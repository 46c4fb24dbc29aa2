package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CountRatioEProcessTest {

    private static final CountRatioEProcess START = CountRatioEProcess.start(0.05, 0.5, Direction.INCREASE);

    @Test
    void uninformativeIntervalsOnlyCountAsLooks() {
        CountRatioEProcess e = START.update(new CountInterval(0, 0, 300, 300))
            .update(new CountInterval(3, 4, 0, 300))
            .update(new CountInterval(2, 0, 300, 0));
        assertEquals(3, e.looks());
        assertEquals(0, e.logM());
        assertEquals(1, e.pValue());
        assertTrue(e.strata().isEmpty());
        assertTrue(Double.isNaN(e.estimate()));
        assertEquals(new RateRatio(Double.NaN, 0, Double.POSITIVE_INFINITY, 0.95), e.confidenceSequence());
    }

    @Test
    void intervalsWithTheSameSplitShareOneStratum() {
        CountRatioEProcess e = START.update(new CountInterval(2, 3, 100, 100)).update(new CountInterval(1, 1, 50, 50))
            .update(new CountInterval(1, 1, 100, 300));
        assertEquals(2, e.strata().size());
        assertEquals(new CountRatioEProcess.Stratum(0.5, 7), e.strata().get(0));
        assertEquals(new CountRatioEProcess.Stratum(0.25, 2), e.strata().get(1));
    }

    @Test
    void decreaseIsIncreaseWithTheCohortsSwapped() {
        CountRatioEProcess down = CountRatioEProcess.start(0.05, 0.5, Direction.DECREASE);
        CountRatioEProcess up = START;
        long[][] data = {{1, 6, 100, 400}, {0, 5, 120, 380}, {2, 9, 200, 300}};
        for (long[] d : data) {
            down = down.update(new CountInterval(d[0], d[1], d[2], d[3]));
            up = up.update(new CountInterval(d[1], d[0], d[3], d[2]));
        }
        assertEquals(up.logM(), down.logM(), 1e-12);
        assertTrue(down.logM() > 0, "fewer canary errors is evidence for DECREASE");
    }

    @Test
    void aCanaryWithFewerErrorsGivesNoEvidenceOfAnIncrease() {
        CountRatioEProcess e = START;
        for (int t = 0; t < 30; t++) {
            e = e.update(new CountInterval(1, 6, 300, 300));
        }
        assertTrue(e.logM() < 0);
        assertFalse(e.crossed());
        assertEquals(1, e.pValue());
        assertTrue(e.confidenceSequence().upper() < 1);
    }

    @Test
    void theConfidenceSequenceShrinksAroundTheRatioAndContainsTheEstimate() {
        CountRatioEProcess e = START;
        RateRatio previous = e.confidenceSequence();
        for (int t = 0; t < 20; t++) {
            e = e.update(new CountInterval(20, 10, 250, 250));
            RateRatio r = e.confidenceSequence();
            assertTrue(r.lower() <= r.estimate() && r.estimate() <= r.upper(), r.toString());
            assertTrue(r.upper() - r.lower() < previous.upper() - previous.lower());
            previous = r;
        }
        assertEquals(2.0, previous.estimate(), 1e-12);
        assertTrue(previous.lower() > 1.4 && previous.upper() < 2.8, previous.toString());
    }

    @Test
    void theGuaranteeHoldsWhenTheSplitAndTheBaseRateDrift() {
        // A/A with the canary share ramping 5 % -> 50 % and the base rate moving ±50 %: false alarms ≤ α.
        int alarms = 0;
        int reps = 400;
        for (int r = 0; r < reps; r++) {
            SplittableRandom rng = new SplittableRandom(10_000 + r);
            CountRatioEProcess e = START;
            for (int t = 1; t <= 30 && !e.crossed(); t++) {
                double share = 0.05 + 0.45 * (t - 1) / 29.0;
                double rate = 0.01 * (1 + 0.5 * Math.sin(2 * Math.PI * t / 7));
                long ec = Math.round(600 * share);
                long es = 600 - ec;
                e = e.update(new CountInterval(binomial(rng, ec, rate), binomial(rng, es, rate), ec, es));
            }
            alarms += e.crossed() ? 1 : 0;
        }
        assertTrue(alarms <= 0.05 * reps, alarms + " false alarms in " + reps);
    }

    @Test
    void invalidParametersFailFast() {
        assertEquals("alpha not in (0, 1)",
            assertThrows(IllegalArgumentException.class, () -> CountRatioEProcess.start(1, 0.5, Direction.INCREASE))
                .getMessage());
        assertEquals("sigma must be > 0",
            assertThrows(IllegalArgumentException.class, () -> CountRatioEProcess.start(0.05, 0, Direction.INCREASE))
                .getMessage());
        assertEquals("errors must be >= 0",
            assertThrows(IllegalArgumentException.class, () -> new CountInterval(-1, 0, 1, 1)).getMessage());
        assertEquals("interval == null",
            assertThrows(IllegalArgumentException.class, () -> START.update(null)).getMessage());
    }

    static long binomial(SplittableRandom rng, long n, double p) {
        long k = 0;
        for (long i = 0; i < n; i++) {
            k += rng.nextDouble() < p ? 1 : 0;
        }
        return k;
    }
}
