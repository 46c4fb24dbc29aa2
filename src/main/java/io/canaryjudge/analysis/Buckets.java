package io.canaryjudge.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One cohort's histogram for one interval, as read: the cumulative count at each {@code le} boundary
 * (ascending, +Inf last), i.e. how many observations of the interval were ≤ le.
 */
record Buckets(double[] le, double[] cumulative) {

    Buckets {
        if (le.length != cumulative.length) {
            throw new IllegalArgumentException("le.length != cumulative.length");
        }
        le = le.clone();
        cumulative = cumulative.clone();
    }

    static Buckets of(TreeMap<Double, Double> byLe) {
        double[] le = new double[byLe.size()];
        double[] c = new double[byLe.size()];
        int i = 0;
        for (var e : byLe.entrySet()) {
            le[i] = e.getKey();
            c[i++] = e.getValue();
        }
        return new Buckets(le, c);
    }

    long total() {
        return le.length == 0 ? 0 : Math.round(cumulative[cumulative.length - 1]);
    }

    /**
     * Both cohorts on the boundaries they share (a boundary only one cohort has is merged into its neighbour:
     * coarser, still exact), as per-bucket integer counts: cumulative counts rounded, made monotone in le
     * (a higher boundary never counts fewer observations: raised to the running maximum, as
     * histogram_quantile does), then differenced. The last bucket is (last finite bound, +Inf].
     *
     * @param bounds the finite upper edges shared by both cohorts
     * @param canary per-bucket counts, {@code bounds.length + 1} of them
     */
    record Paired(double[] bounds, long[] canary, long[] stable) {
        long canaryTotal() {
            return Arrays.stream(canary).sum();
        }

        long stableTotal() {
            return Arrays.stream(stable).sum();
        }
    }

    static Paired pair(Buckets canary, Buckets stable) {
        List<Double> common = new ArrayList<>();
        for (double b : canary.le) {
            if (Double.isFinite(b) && Arrays.binarySearch(stable.le, b) >= 0) {
                common.add(b);
            }
        }
        double[] bounds = common.stream().mapToDouble(Double::doubleValue).toArray();
        return new Paired(bounds, perBucket(canary, bounds), perBucket(stable, bounds));
    }

    private static long[] perBucket(Buckets b, double[] bounds) {
        long[] out = new long[bounds.length + 1];
        long previous = 0;
        for (int i = 0; i <= bounds.length; i++) {
            double edge = i < bounds.length ? bounds[i] : Double.POSITIVE_INFINITY;
            long cumulative = Math.max(previous, Math.round(b.cumulative[Arrays.binarySearch(b.le, edge)]));
            out[i] = cumulative - previous;
            previous = cumulative;
        }
        return out;
    }
}
