package io.canaryjudge.judge;

import java.util.Arrays;

/** Drops NaN and infinities, optionally removes outliers with Kayenta's IQR fences, and sorts. */
final class Cleaning {

    /** The sorted kept values and how many were dropped. */
    record Cleaned(double[] values, int dropped) {
    }

    private Cleaning() {
    }

    static Cleaned clean(double[] raw, boolean removeOutliers) {
        double[] finite = Arrays.stream(raw).filter(Double::isFinite).sorted().toArray();
        int dropped = raw.length - finite.length;
        if (!removeOutliers || finite.length < 4) {
            return new Cleaned(finite, dropped);
        }
        // Kayenta (NetflixACAJudge): fences min(P1, Q1 − 3·IQR) and max(P99, Q3 + 3·IQR).
        double q1 = quantile(finite, 0.25);
        double q3 = quantile(finite, 0.75);
        double iqr = q3 - q1;
        double low = Math.min(quantile(finite, 0.01), q1 - 3 * iqr);
        double high = Math.max(quantile(finite, 0.99), q3 + 3 * iqr);
        double[] kept = Arrays.stream(finite).filter(v -> v >= low && v <= high).toArray();
        return new Cleaned(kept, dropped + finite.length - kept.length);
    }

    /** R's default (type 7) quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
