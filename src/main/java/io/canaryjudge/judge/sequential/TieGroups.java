package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.RankSumMoments;
import java.util.Arrays;

/**
 * One interval's pooled sample as ordered groups of tied values: canary and stable counts per
 * distinct value (raw samples) or per histogram bucket (all observations in a bucket are ties).
 */
final class TieGroups {

    final double[] canary;
    final double[] stable;
    final double canaryTotal;
    final double stableTotal;

    private TieGroups(double[] canary, double[] stable) {
        this.canary = canary;
        this.stable = stable;
        this.canaryTotal = Arrays.stream(canary).sum();
        this.stableTotal = Arrays.stream(stable).sum();
    }

    static TieGroups ofSamples(double[] canaryValues, double[] stableValues) {
        double[] c = sortedFinite(canaryValues, "canary");
        double[] s = sortedFinite(stableValues, "stable");
        double[] gc = new double[c.length + s.length];
        double[] gs = new double[gc.length];
        int i = 0;
        int j = 0;
        int g = -1;
        double last = Double.NaN;
        while (i < c.length || j < s.length) {
            boolean fromCanary = j >= s.length || (i < c.length && c[i] <= s[j]);
            double v = fromCanary ? c[i++] : s[j++];
            if (g < 0 || v != last) {
                g++;
                last = v;
            }
            if (fromCanary) {
                gc[g]++;
            } else {
                gs[g]++;
            }
        }
        return new TieGroups(Arrays.copyOf(gc, g + 1), Arrays.copyOf(gs, g + 1));
    }

    /** Raw samples with the canary's values divided by {@code scale} (a margin's factor; 1: as observed). */
    static TieGroups ofScaledSamples(double[] canaryValues, double[] stableValues, double scale) {
        if (scale == 1 || canaryValues == null) {
            return ofSamples(canaryValues, stableValues);
        }
        double[] divided = new double[canaryValues.length];
        for (int i = 0; i < divided.length; i++) {
            divided[i] = canaryValues[i] / scale;
        }
        return ofSamples(divided, stableValues);
    }

    /** Per-bucket (not cumulative) counts on the same bucket boundaries, lowest bucket first. */
    static TieGroups ofBuckets(long[] canaryBuckets, long[] stableBuckets) {
        if (canaryBuckets == null || stableBuckets == null) {
            throw new IllegalArgumentException("buckets == null");
        }
        if (canaryBuckets.length != stableBuckets.length) {
            throw new IllegalArgumentException("bucket counts differ in length");
        }
        for (int b = 0; b < canaryBuckets.length; b++) {
            if (canaryBuckets[b] < 0 || stableBuckets[b] < 0) {
                throw new IllegalArgumentException("bucket counts must be >= 0");
            }
        }
        return new TieGroups(toDouble(canaryBuckets), toDouble(stableBuckets));
    }

    /**
     * Histogram buckets with the canary's values divided by {@code scale} (the margin's factor): each canary bucket
     * (b_{i−1}, b_i] becomes (b_{i−1}/scale, b_i/scale] and its count is spread over the stable buckets it overlaps
     * in proportion to the overlap in log scale (linear in the first bucket, which starts at 0; the +Inf bucket is
     * taken as one more step of the last finite ratio). This within-bucket interpolation is the one assumption of
     * a margin on histogram data (docs/statistics.md, "Margins on histograms"); the counts stay on stable's
     * boundaries, so stable's data is used as observed.
     *
     * @param bounds the finite upper edges, ascending and positive; counts have one more entry (+Inf)
     */
    static TieGroups ofScaledBuckets(double[] bounds, long[] canaryBuckets, long[] stableBuckets, double scale) {
        ofBuckets(canaryBuckets, stableBuckets);
        if (bounds == null || bounds.length + 1 != canaryBuckets.length) {
            throw new IllegalArgumentException("bounds must have one entry less than the bucket counts");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be > 0");
        }
        int b = bounds.length;
        double[] edges = new double[b + 2]; // edges[i] .. edges[i+1] is bucket i
        edges[0] = 0;
        for (int i = 0; i < b; i++) {
            if (!(bounds[i] > edges[i]) || Double.isInfinite(bounds[i])) {
                throw new IllegalArgumentException("bounds must be finite, positive and ascending");
            }
            edges[i + 1] = bounds[i];
        }
        double last = b >= 2 ? bounds[b - 1] / bounds[b - 2] : 2;
        edges[b + 1] = b == 0 ? Double.POSITIVE_INFINITY : bounds[b - 1] * Math.max(last, 1.0001);
        double[] mapped = new double[b + 1];
        for (int i = 0; i <= b; i++) {
            long k = canaryBuckets[i];
            if (k == 0) {
                continue;
            }
            if (b == 0) {
                mapped[0] += k;
                continue;
            }
            double lo = edges[i] / scale;
            double hi = edges[i + 1] / scale;
            for (int j = 0; j <= b; j++) {
                double from = Math.max(lo, edges[j]);
                double to = Math.min(hi, j == b ? Double.POSITIVE_INFINITY : edges[j + 1]);
                if (to <= from) {
                    continue;
                }
                mapped[j] += k * share(lo, hi, from, to, i == 0);
            }
        }
        return new TieGroups(mapped, toDouble(stableBuckets));
    }

    /** The part of (lo, hi] that (from, to] covers: in log scale, or linearly when lo is 0. */
    private static double share(double lo, double hi, double from, double to, boolean linear) {
        if (linear || lo <= 0) {
            return (to - from) / (hi - lo);
        }
        return Math.log(to / from) / Math.log(hi / lo);
    }

    private static double[] toDouble(long[] counts) {
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = counts[i];
        }
        return out;
    }

    private static double[] sortedFinite(double[] values, String name) {
        if (values == null) {
            throw new IllegalArgumentException(name + " == null");
        }
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " has a non-finite value");
            }
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted;
    }

    double total() {
        return canaryTotal + stableTotal;
    }

    /** Centred mid-ranks u_b = (R_b − (N+1)/2)/N per group (docs/statistics.md, Continuous metrics). */
    double[] centredRanks() {
        double n = total();
        double[] u = new double[canary.length];
        double before = 0;
        for (int b = 0; b < u.length; b++) {
            double t = canary[b] + stable[b];
            double rank = before + (t + 1) / 2.0;
            u[b] = (rank - (n + 1) / 2) / n;
            before += t;
        }
        return u;
    }

    /** Mann-Whitney U of the canary: pairs canary &gt; stable, ties ½. */
    double u() {
        double u = 0;
        double stableBelow = 0;
        for (int b = 0; b < canary.length; b++) {
            u += canary[b] * (stableBelow + stable[b] / 2.0);
            stableBelow += stable[b];
        }
        return u;
    }

    /** Σ (t³ − t) over tie groups, for the variance of U. */
    double tieTerm() {
        double sum = 0;
        for (int b = 0; b < canary.length; b++) {
            double t = canary[b] + stable[b];
            sum += RankSumMoments.tieTerm(t);
        }
        return sum;
    }
}
