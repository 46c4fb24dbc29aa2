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
        double q1 = Quantiles.type7(finite, 0.25);
        double q3 = Quantiles.type7(finite, 0.75);
        double iqr = q3 - q1;
        double low = Math.min(Quantiles.type7(finite, 0.01), q1 - 3 * iqr);
        double high = Math.max(Quantiles.type7(finite, 0.99), q3 + 3 * iqr);
        double[] kept = Arrays.stream(finite).filter(v -> v >= low && v <= high).toArray();
        return new Cleaned(kept, dropped + finite.length - kept.length);
    }
}
