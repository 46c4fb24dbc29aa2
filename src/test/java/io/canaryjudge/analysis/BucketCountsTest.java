package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.canaryjudge.metrics.Series;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Raw counters differenced exactly over (start, end], and cumulative le buckets turned into per-bucket counts. */
class BucketCountsTest {

    private static Series series(double[] t, double[] v) {
        return new Series(Map.of("le", "1"), t, v);
    }

    @Test
    void increaseIsTheDifferenceFromTheLastSampleAtOrBeforeTheStart() {
        Series s = series(new double[] {0, 15, 30, 45, 60, 75}, new double[] {10, 12, 15, 15, 20, 30});
        assertEquals(8, CounterIncrease.of(s, 15, 60), "20 − 12: the sample at the start is the baseline, 75 is after");
        assertEquals(20, CounterIncrease.of(s, 14, 75), "30 − 10");
    }

    @Test
    void aResetAddsTheNewValue() {
        Series s = series(new double[] {0, 15, 30, 45}, new double[] {100, 110, 3, 7});
        assertEquals(10 + 3 + 4, CounterIncrease.of(s, 0, 45));
    }

    @Test
    void aSeriesFirstSeenInTheIntervalCountsFromZero() {
        Series s = series(new double[] {30, 45}, new double[] {1, 4});
        assertEquals(4, CounterIncrease.of(s, 15, 60), "a new status=\"500\" series' first error is counted");
        Series nan = series(new double[] {0, 15, 30}, new double[] {1, Double.NaN, 5});
        assertEquals(4, CounterIncrease.of(nan, 0, 30));
        Series pod = series(new double[] {20, 35, 50}, new double[] {40, 95, 150});
        assertEquals(150, CounterIncrease.of(pod, 15, 60), "a new pod's first scrape (40 <= 2 x 110) counts from 0");
    }

    @Test
    void anOldSeriesBackFromAScrapeGapIsNotRecountedFromZero() {
        // a pod with 1.2 million requests whose scrapes stopped for longer than the look-back: its lifetime is not
        // an increase of this interval; only what it adds after its first sample is
        Series gap = series(new double[] {30, 45, 60}, new double[] {1_200_000, 1_200_050, 1_200_110});
        assertEquals(110, CounterIncrease.of(gap, 15, 60));
        Series errors = series(new double[] {30, 45}, new double[] {4_000, 4_000});
        assertEquals(0, CounterIncrease.of(errors, 15, 60), "4,000 old errors are not this interval's");
        Series reset = series(new double[] {30, 45}, new double[] {4_000, 3});
        assertEquals(3, CounterIncrease.of(reset, 15, 60), "a reset after the first sample still adds the new value");
    }

    private static Buckets buckets(double[] le, double[] cumulative) {
        TreeMap<Double, Double> m = new TreeMap<>();
        for (int i = 0; i < le.length; i++) {
            m.put(le[i], cumulative[i]);
        }
        return Buckets.of(m);
    }

    @Test
    void cumulativeBucketsBecomePerBucketCountsOnSharedBounds() {
        double inf = Double.POSITIVE_INFINITY;
        Buckets c = buckets(new double[] {0.1, 0.5, 1, inf}, new double[] {2, 5.0000001, 9, 10});
        Buckets s = buckets(new double[] {0.1, 1, inf}, new double[] {7, 6.6, 20});
        Buckets.Paired p = Buckets.pair(c, s);
        assertArrayEquals(new double[] {0.1, 1}, p.bounds(), "0.5 is only in the canary: merged into (0.1, 1]");
        assertArrayEquals(new long[] {2, 7, 1}, p.canary());
        assertArrayEquals(new long[] {7, 0, 13}, p.stable(), "1 → 6.6 rounds to 7: never fewer than below (monotone)");
        assertEquals(10, p.canaryTotal());
        assertEquals(20, p.stableTotal());
    }
}
