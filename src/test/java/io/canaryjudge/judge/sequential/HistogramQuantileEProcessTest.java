package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Direction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bucket quantile test is the raw-sample test with every observation of a bucket tied at the bucket's edge
 * (docs/statistics.md, Informative tests: k known only at edges, conservative inside a bucket): the same ln M to rounding.
 */
class HistogramQuantileEProcessTest {
    private static final double[] BOUNDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    private static long[] bucketise(double[] values) {
        long[] out = new long[BOUNDS.length + 1];
        for (double v : values) {
            int b = 0;
            while (b < BOUNDS.length && v > BOUNDS[b]) {
                b++;
            }
            out[b]++;
        }
        return out;
    }

    /** Each observation replaced by its bucket's upper edge (the +Inf bucket by 10): ties per bucket. */
    private static double[] tied(long[] buckets) {
        double[] out = new double[(int) Arrays.stream(buckets).sum()];
        int i = 0;
        for (int b = 0; b < buckets.length; b++) {
            for (long k = 0; k < buckets[b]; k++) {
                out[i++] = b < BOUNDS.length ? BOUNDS[b] : 10;
            }
        }
        return out;
    }

    private static double[] lognormal(Random rnd, int n, double median) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = median * Math.exp(0.5 * rnd.nextGaussian());
        }
        return v;
    }

    @Test
    void equalsTheRawSampleTestOnValuesTiedPerBucket() {
        Random rnd = new Random(7);
        for (double p : new double[] {0.5, 0.99}) {
            HistogramQuantileEProcess h = HistogramQuantileEProcess.start(0.05, p, 3000, Direction.INCREASE);
            QuantileEProcess q = QuantileEProcess.start(0.05, p, 3000, Direction.INCREASE);
            for (int t = 0; t < 6; t++) {
                long[] c = bucketise(lognormal(rnd, 60, 0.06));
                long[] s = bucketise(lognormal(rnd, 600, 0.04));
                h = h.updateHistogram(BOUNDS, c, s);
                q = q.update(tied(c), tied(s));
                assertEquals(q.logM(), h.logM(), 1e-9, "p" + p + " interval " + (t + 1));
                assertEquals(q.crossed(), h.crossed(), "p" + p + " interval " + (t + 1));
            }
            assertEquals(6, h.looks());
            assertEquals(360, h.canaryCount());
            assertEquals(3600, h.stableCount());
        }
    }

    @Test
    void shiftedCanaryIsDetectedAndIdenticalIsNot() {
        Random rnd = new Random(11);
        HistogramQuantileEProcess bad = HistogramQuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE);
        HistogramQuantileEProcess same = HistogramQuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE);
        for (int t = 0; t < 5; t++) {
            bad = bad.updateHistogram(BOUNDS, bucketise(lognormal(rnd, 200, 0.12)), bucketise(lognormal(rnd, 200, 0.04)));
            same = same.updateHistogram(BOUNDS, bucketise(lognormal(rnd, 200, 0.04)), bucketise(lognormal(rnd, 200, 0.04)));
        }
        assertTrue(bad.crossed(), bad.toString());
        assertTrue(bad.canaryQuantile() > bad.stableQuantile());
        assertFalse(same.crossed(), same.toString());
    }

    @Test
    void otherBoundariesAreMergedOntoTheSharedOnes() {
        HistogramQuantileEProcess h = HistogramQuantileEProcess.start(0.05, 0.5, 3000, Direction.INCREASE)
            .updateHistogram(new double[] {1, 2, 3}, new long[] {1, 2, 3, 4}, new long[] {4, 3, 2, 1})
            .updateHistogram(new double[] {1, 3}, new long[] {1, 1, 1}, new long[] {0, 0, 5});
        assertEquals("[1.0, 3.0]", Arrays.toString(h.bounds()));
        assertEquals("[2, 6, 5]", Arrays.toString(h.canary()));
        assertEquals("[4, 5, 6]", Arrays.toString(h.stable()));
        assertThrows(IllegalArgumentException.class, () -> h.updateHistogram(new double[] {1}, new long[] {1},
            new long[] {1, 1}));
    }

    @Test
    void histogramQuantileInterpolatesLikePrometheus() {
        // 10 observations: 4 in (0, 1], 6 in (1, 2]: the median is 1 + (5 − 4)/6
        assertEquals(1 + 1.0 / 6, HistogramQuantileEProcess.quantile(new double[] {1, 2}, new long[] {4, 6, 0}, 0.5), 1e-12);
        assertEquals(2, HistogramQuantileEProcess.quantile(new double[] {1, 2}, new long[] {0, 0, 3}, 0.5), 1e-12,
            "in the +Inf bucket: the highest finite bound");
    }

    @Test
    void stateRoundTripsThroughJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HistogramQuantileEProcess h = HistogramQuantileEProcess.start(0.05, 0.99, 3000, Direction.INCREASE);
        assertEquals(h, json.readValue(json.writeValueAsString(h), HistogramQuantileEProcess.class));
        h = h.updateHistogram(BOUNDS, bucketise(new double[] {0.02, 0.3, 7}), bucketise(new double[] {0.04, 0.2}));
        HistogramQuantileEProcess back = json.readValue(json.writeValueAsString(h), HistogramQuantileEProcess.class);
        assertEquals(h, back);
        long[] c = bucketise(new double[] {0.5, 0.6});
        long[] s = bucketise(new double[] {0.05});
        assertEquals(h.updateHistogram(BOUNDS, c, s), back.updateHistogram(BOUNDS, c, s));
    }

    @Test
    void aLookOverHundredsOfMillionsOfRequestsEvaluatesOnlyTheBucketsItNeeds() {
        // 2 x 10^8 observations: a per-look table over the cohort would need 1.6 GB; g at the clamped k needs nothing
        double[] bounds = {0.1, 0.25, 0.5, 1};
        HistogramQuantileEProcess t = HistogramQuantileEProcess.start(0.05, 0.99, 3000, Direction.INCREASE)
            .updateHistogram(bounds, new long[] {50_000_000, 40_000_000, 9_000_000, 900_000, 100_000},
                new long[] {50_000_000, 40_000_000, 9_000_000, 900_000, 100_000});
        assertTrue(Double.isFinite(t.logM()), "ln M " + t.logM());
        assertTrue(t.logM() < 0, "identical histograms: no evidence, " + t.logM());
        for (int n : new int[] {1, 10, 1000, 12345}) {
            double[] table = QuantileEProcess.table(0.05, 0.99, 3000, n);
            for (int k = 0; k <= n; k += Math.max(1, n / 7)) {
                org.junit.jupiter.api.Assertions.assertEquals(table[k], QuantileEProcess.g(0.05, 0.99, 3000, n, k),
                    1e-9 * Math.max(1, Math.abs(table[k])), "n=" + n + " k=" + k);
            }
        }
    }
}
