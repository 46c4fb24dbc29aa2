package io.canaryjudge.judge.sequential;

import org.apache.commons.math3.special.Erf;

/** Log-space helpers shared by the e-processes: log-sum-exp, Gaussian grid weights, ln Φ. */
final class LogMath {

    private static final double LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private LogMath() {
    }

    /** ln Σ_i exp(a[i] + b[i]) over indices from (inclusive) to to (exclusive), skipping skip. */
    static double logSumExp(double[] a, double[] b, int from, int to, int skip) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (i != skip) {
                max = Math.max(max, a[i] + b[i]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = from; i < to; i++) {
            if (i != skip) {
                sum += Math.exp(a[i] + b[i] - max);
            }
        }
        return max + Math.log(sum);
    }

    /**
     * Log weights ∝ exp(−x²/(2s²)) of a symmetric grid x_j = (j − half)·step, normalised over the
     * nodes [from, to) without skip; other entries are −∞. docs/statistics.md §3 (Counts).
     */
    static double[] gaussianLogWeights(int half, double step, double scale, int from, int to, int skip) {
        double[] w = new double[2 * half + 1];
        double[] zero = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double x = (i - half) * step;
            w[i] = i >= from && i < to && i != skip ? -x * x / (2 * scale * scale) : Double.NEGATIVE_INFINITY;
        }
        double norm = logSumExp(w, zero, 0, w.length, -1);
        for (int i = 0; i < w.length; i++) {
            w[i] -= norm;
        }
        return w;
    }

    /** ln Φ(x), accurate far in the lower tail (no log(0)): erfc, then the asymptotic series. */
    static double logPhi(double x) {
        if (x > -5) {
            return Math.log(0.5 * Erf.erfc(-x / Math.sqrt(2)));
        }
        if (x > -37) {
            double v = 0.5 * Erf.erfc(-x / Math.sqrt(2));
            if (v > 0) {
                return Math.log(v);
            }
        }
        // Mills ratio: Φ(x) ≈ φ(x)/|x| · (1 − 1/x² + 3/x⁴ − 15/x⁶).
        double x2 = x * x;
        double series = 1 - 1 / x2 + 3 / (x2 * x2) - 15 / (x2 * x2 * x2);
        return -x2 / 2 - LN_SQRT_2PI - Math.log(-x) + Math.log(series);
    }

    /** ln(1/α), the level every e-process must reach to reject. */
    /**
     * The mixture scale ρ that makes a boundary of level exp(−L) tightest at intrinsic time {@code intrinsicTime}
     * (Howard et al. 2021, eq. (3.11)): ρ = t_opt / (2L + ln(1 + 2L)). Shared by the normal, beta-binomial and
     * quantile mixtures, each with its own L and t_opt.
     */
    static double mixtureRho(double intrinsicTime, double l) {
        return intrinsicTime / (2 * l + Math.log1p(2 * l));
    }

    static double threshold(double alpha) {
        return Math.log(1 / alpha);
    }

    static void checkAlpha(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha not in (0, 1)");
        }
    }

    static void checkPositive(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
    }
}
