package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.Quantiles;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.special.Beta;

/**
 * Howard &amp; Ramdas' two-sample quantile test (Bernoulli 2022; confseq {@code QuantileEProcess}):
 * "canary and stable have the same p-quantile", tested with a beta-binomial mixture per arm and an
 * infimum over the candidate common quantile x (docs/statistics.md, Informative tests). Sensitive to one chosen quantile —
 * p99 catches a longer tail or a doubled spread at the same median, which a rank test misses.
 *
 * <p>Exact if each arm is i.i.d. over time; shared drift with a changing split breaks it (use
 * {@link BatchRankEProcess} for the abort decision then). Keeps every value, sorted: a sketch would
 * void exactness, so the serialised state grows with the samples seen.
 */
public record QuantileEProcess(double alpha, double p, double tOpt, Direction direction, int looks, double[] canary,
                             double[] stable, double logM, double maxLogM, boolean regression)
    implements SequentialState {

    /** Samples per arm at which the mixture is tuned by default (about 10 intervals of 300). */
    public static final double DEFAULT_T_OPT = 3000;

    public QuantileEProcess {
        LogMath.checkAlpha(alpha);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p not in (0, 1)");
        }
        LogMath.checkPositive(tOpt, "tOpt");
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        if (canary == null || stable == null) {
            throw new IllegalArgumentException("samples == null");
        }
        canary = canary.clone();
        stable = stable.clone();
    }

    public static QuantileEProcess start(double alpha, double p, double tOpt, Direction direction) {
        return new QuantileEProcess(alpha, p, tOpt, direction, 0, new double[0], new double[0], 0, 0, false);
    }

    @Override
    public double[] canary() {
        return canary.clone();
    }

    @Override
    public double[] stable() {
        return stable.clone();
    }

    /** The test after one more interval of raw values (NaN and infinities are rejected). */
    public QuantileEProcess update(double[] canaryValues, double[] stableValues) {
        double[] c = merge(canary, canaryValues, "canary");
        double[] s = merge(stable, stableValues, "stable");
        double lm = logE(c, s);
        boolean worse = worse(Quantiles.type7(c, p), Quantiles.type7(s, p));
        boolean bad = regression || lm >= threshold() && worse;
        return new QuantileEProcess(alpha, p, tOpt, direction, looks + 1, c, s, lm, Math.max(maxLogM, lm), bad);
    }

    /** Rejected "equal p-quantiles" with the canary's quantile on the bad side (directional error ≤ α). */
    @Override
    public boolean crossed() {
        return regression;
    }

    @Override
    public String test() {
        return "Howard-Ramdas p" + format(100 * p) + " quantile test";
    }

    /** The canary's empirical p-quantile (R type 7); NaN without data. */
    public double canaryQuantile() {
        return Quantiles.type7(canary, p);
    }

    public double stableQuantile() {
        return Quantiles.type7(stable, p);
    }

    private boolean worse(double canaryQ, double stableQ) {
        return switch (direction) {
            case INCREASE -> canaryQ > stableQ;
            case DECREASE -> canaryQ < stableQ;
            case EITHER -> canaryQ != stableQ;
        };
    }

    /**
     * ln E_t = inf_x [g_c(k_c(x)) + g_s(k_s(x))], k_i(x) = #{obs_i ≤ x}. At each distinct pooled value
     * z, k_i may be anywhere in [#{&lt; z}, #{≤ z}] (conservative at ties); gaps between values and the
     * ends are covered by those ranges. g_i is convex in k, so the clamped integer minimiser is exact.
     */
    private double logE(double[] c, double[] s) {
        double[] gc = table(alpha, p, tOpt, c.length);
        double[] gs = table(alpha, p, tOpt, s.length);
        int kc = minimiser(p, c.length);
        int ks = minimiser(p, s.length);
        if (c.length + s.length == 0) {
            return 0;
        }
        double inf = Double.POSITIVE_INFINITY;
        int i = 0;
        int j = 0;
        while (i < c.length || j < s.length) {
            double z = j >= s.length || i < c.length && c[i] <= s[j] ? c[i] : s[j];
            int iHi = i;
            while (iHi < c.length && c[iHi] == z) {
                iHi++;
            }
            int jHi = j;
            while (jHi < s.length && s[jHi] == z) {
                jHi++;
            }
            inf = Math.min(inf, gc[clamp(kc, i, iHi)] + gs[clamp(ks, j, jHi)]);
            i = iHi;
            j = jHi;
        }
        return inf;
    }

    /** g(k) for k = 0..n: one log-beta at the minimiser, then the increments ln((a+k)(1−p)/((b+n−k−1)p)). */
    static double[] table(double alpha, double p, double tOpt, int n) {
        double[] prior = prior(alpha, p, tOpt);
        double a = prior[0];
        double b = prior[1];
        double[] g = new double[n + 1];
        int k0 = clamp(minimiser(p, n), 0, n);
        g[k0] = Beta.logBeta(a + k0, b + n - k0) - Beta.logBeta(a, b) - k0 * Math.log(p) - (n - k0) * Math.log1p(-p);
        double odds = Math.log((1 - p) / p);
        for (int k = k0; k < n; k++) {
            g[k + 1] = g[k] + Math.log((a + k) / (b + n - k - 1)) + odds;
        }
        for (int k = k0; k > 0; k--) {
            g[k - 1] = g[k] - Math.log((a + k - 1) / (b + n - k)) - odds;
        }
        return g;
    }

    /** g(k) of {@link #table} at one k, without the table: for a look that needs a few k of a large n. */
    static double g(double alpha, double p, double tOpt, int n, int k) {
        double[] prior = prior(alpha, p, tOpt);
        double a = prior[0];
        double b = prior[1];
        return Beta.logBeta(a + k, b + n - k) - Beta.logBeta(a, b) - k * Math.log(p) - (n - k) * Math.log1p(-p);
    }

    /** The Beta(a, b) prior of the mixture, tuned for t_opt samples (the beta-binomial rule of Howard et al.). */
    private static double[] prior(double alpha, double p, double tOpt) {
        double l = Math.log(1 / alpha);
        double v = p * (1 - p);
        double rho = LogMath.mixtureRho(tOpt * v, l);
        double r = Math.max(rho - v, 1e-3 * v);
        return new double[] {r / (1 - p), r / p};
    }

    /** The smallest k with g(k+1) ≥ g(k): k ≥ (n − 1)p. */
    static int minimiser(double p, int n) {
        return n == 0 ? 0 : (int) Math.ceil((n - 1) * p);
    }

    static int clamp(int k, int lo, int hi) {
        return Math.max(lo, Math.min(hi, k));
    }

    private static double[] merge(double[] sorted, double[] add, String name) {
        if (add == null) {
            throw new IllegalArgumentException(name + " == null");
        }
        double[] extra = add.clone();
        for (double x : extra) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(name + " has a non-finite value");
            }
        }
        Arrays.sort(extra);
        double[] out = new double[sorted.length + extra.length];
        int i = 0;
        int j = 0;
        for (int k = 0; k < out.length; k++) {
            out[k] = j >= extra.length || i < sorted.length && sorted[i] <= extra[j] ? sorted[i++] : extra[j++];
        }
        return out;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuantileEProcess q && alpha == q.alpha && p == q.p && tOpt == q.tOpt
            && direction == q.direction && looks == q.looks && Arrays.equals(canary, q.canary)
            && Arrays.equals(stable, q.stable) && Double.compare(logM, q.logM) == 0
            && Double.compare(maxLogM, q.maxLogM) == 0 && regression == q.regression;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(canary) + Arrays.hashCode(stable)) + Double.hashCode(p) + looks;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "QuantileEProcess[p=%s, direction=%s, looks=%d, n=%d/%d, logM=%s, "
            + "maxLogM=%s, regression=%s]", p, direction, looks, canary.length, stable.length, logM, maxLogM, regression);
    }
}
