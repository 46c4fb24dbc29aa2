package io.canaryjudge.judge;

/** Sample quantiles as R computes them by default, shared by outlier cleaning and the sequential quantile test. */
public final class Quantiles {

    private Quantiles() {
    }

    /** R's default (type 7) p-quantile of sorted values: linear between order statistics; NaN without data. */
    public static double type7(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
