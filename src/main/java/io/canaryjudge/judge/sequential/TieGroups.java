package io.canaryjudge.judge.sequential;

import java.util.Arrays;

/**
 * One interval's pooled sample as ordered groups of tied values: canary and stable counts per
 * distinct value (raw samples) or per histogram bucket (all observations in a bucket are ties).
 */
final class TieGroups {

    final long[] canary;
    final long[] stable;
    final long canaryTotal;
    final long stableTotal;

    private TieGroups(long[] canary, long[] stable) {
        this.canary = canary;
        this.stable = stable;
        this.canaryTotal = Arrays.stream(canary).sum();
        this.stableTotal = Arrays.stream(stable).sum();
    }

    static TieGroups ofSamples(double[] canaryValues, double[] stableValues) {
        double[] c = sortedFinite(canaryValues, "canary");
        double[] s = sortedFinite(stableValues, "stable");
        long[] gc = new long[c.length + s.length];
        long[] gs = new long[gc.length];
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
        return new TieGroups(canaryBuckets.clone(), stableBuckets.clone());
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

    long total() {
        return canaryTotal + stableTotal;
    }

    /** Centred mid-ranks u_b = (R_b − (N+1)/2)/N per group (SEQUENTIAL.md §3.1). */
    double[] centredRanks() {
        double n = total();
        double[] u = new double[canary.length];
        long before = 0;
        for (int b = 0; b < u.length; b++) {
            long t = canary[b] + stable[b];
            double rank = before + (t + 1) / 2.0;
            u[b] = (rank - (n + 1) / 2) / n;
            before += t;
        }
        return u;
    }

    /** Mann-Whitney U of the canary: pairs canary &gt; stable, ties ½. */
    double u() {
        double u = 0;
        long stableBelow = 0;
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
            sum += t * t * t - t;
        }
        return sum;
    }
}
