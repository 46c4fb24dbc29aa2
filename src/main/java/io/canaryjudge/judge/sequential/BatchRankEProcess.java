package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.Arrays;
import java.util.Locale;

/**
 * Continuous metrics (latency, CPU): the batch rank-sum e-process (docs/statistics.md, Continuous metrics). Each interval
 * compares the cohorts by their centred mid-ranks u_i within that interval, so drift shared by both
 * cohorts cancels; the smaller cohort g's rank sum W_g is bounded through Hoeffding's (1963, Thm 4)
 * with-replacement MGF bound, E e^{θW_g} ≤ e^{n_g ψ_t(θ)}, ψ_t(θ) = ln mean_i e^{θu_i}. Every node θ_j
 * = j·h gains s_g θ_j W_g − n_g ψ_t(s_g θ_j), s_g = +1 for the canary; a Gaussian mixture (scale τ)
 * over the nodes is an exact test supermartingale under "labels exchangeable in each interval".
 *
 * <p>It detects a stochastic shift (AUC &gt; ½), not a tail-only change: use {@link QuantileEProcess}
 * for p99. Nodes: INCREASE j = 1..J, DECREASE j = −J..−1, EITHER j = −J..J (θ = 0 included, as for counts).
 *
 * <p>{@code scale} c ≠ 1 tests a margin: the canary's values are divided by c before ranking, so the null becomes
 * "canary ≤ c·stable" (INCREASE: worse than the tolerance c) or "canary ≥ c·stable" (DECREASE: a regression of c
 * is ruled out). On raw samples this is exact by the same monotone coupling; on histogram buckets the divided
 * canary counts are spread within buckets ({@link TieGroups#ofScaledBuckets}), the one interpolation we make.
 */
public record BatchRankEProcess(double alpha, double tau, Direction direction, double scale, int looks, double[] ell,
                                double logM, double maxLogM, double sumU, double sumPairs, double lastAuc)
    implements SequentialState {

    /** Grid step h_θ and node count J_θ (docs/statistics.md §4). */
    public static final double STEP = 0.05;
    public static final int NODES = 100;

    public BatchRankEProcess {
        LogMath.checkAlpha(alpha);
        LogMath.checkPositive(tau, "tau");
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        scale = scale == 0 ? 1 : scale; // states stored before margins existed
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be > 0");
        }
        if (looks < 0) {
            throw new IllegalArgumentException("looks must be >= 0");
        }
        if (ell == null || ell.length != 2 * NODES + 1) {
            throw new IllegalArgumentException("ell must hold " + (2 * NODES + 1) + " node sums");
        }
        ell = ell.clone();
    }

    /** Before the first look: M_0 = 1. τ must be fixed before the canary starts. */
    public static BatchRankEProcess start(double alpha, double tau, Direction direction) {
        return start(alpha, tau, direction, 1);
    }

    /** A margin test: the canary's values divided by {@code scale} before ranking (1: the plain test). */
    public static BatchRankEProcess start(double alpha, double tau, Direction direction, double scale) {
        return new BatchRankEProcess(alpha, tau, direction, scale, 0, new double[2 * NODES + 1], 0, 0, 0, 0,
            Double.NaN);
    }

    @Override
    public double[] ell() {
        return ell.clone();
    }

    /** The process after one interval of raw values; an empty cohort only counts as a look. */
    public BatchRankEProcess update(double[] canary, double[] stable) {
        return update(TieGroups.ofScaledSamples(canary, stable, scale));
    }

    /**
     * The process after one interval of Prometheus histogram buckets: per-bucket counts (differenced
     * from the cumulative {@code le} series) on the same boundaries. Exact for the bucketised data.
     */
    public BatchRankEProcess updateHistogram(long[] canaryBuckets, long[] stableBuckets) {
        if (scale != 1) {
            throw new IllegalStateException("a margin test needs the bucket boundaries");
        }
        return update(TieGroups.ofBuckets(canaryBuckets, stableBuckets));
    }

    /** The same with the finite upper edges of the buckets, which a margin test ({@code scale} ≠ 1) needs. */
    public BatchRankEProcess updateHistogram(double[] bounds, long[] canaryBuckets, long[] stableBuckets) {
        return update(scale == 1 ? TieGroups.ofBuckets(canaryBuckets, stableBuckets)
            : TieGroups.ofScaledBuckets(bounds, canaryBuckets, stableBuckets, scale));
    }

    private BatchRankEProcess update(TieGroups groups) {
        double nc = groups.canaryTotal;
        double ns = groups.stableTotal;
        if (nc == 0 || ns == 0) {
            return new BatchRankEProcess(alpha, tau, direction, scale, looks + 1, ell, logM, maxLogM, sumU, sumPairs,
                lastAuc);
        }
        double n = nc + ns;
        double[] u = groups.centredRanks();
        boolean canarySmaller = nc <= ns;
        double[] g = canarySmaller ? groups.canary : groups.stable;
        double ng = canarySmaller ? nc : ns;
        int sign = canarySmaller ? 1 : -1;
        double w = 0;
        for (int b = 0; b < u.length; b++) {
            w += g[b] * u[b];
        }
        // Node i has θ = (i − J)·h; its tilt is η = s_g·θ, so ψ is needed at +m·h and/or −m·h.
        int from = direction == Direction.INCREASE ? NODES + 1 : 0;
        int to = direction == Direction.DECREASE ? NODES : 2 * NODES + 1;
        boolean needPlus = to > NODES + 1 && sign > 0 || from < NODES && sign < 0;
        boolean needMinus = to > NODES + 1 && sign < 0 || from < NODES && sign > 0;
        double[] psiPlus = needPlus ? psi(groups, u, n, 1) : null;
        double[] psiMinus = needMinus ? psi(groups, u, n, -1) : null;
        double[] next = ell.clone();
        for (int i = from; i < to; i++) {
            int m = i - NODES;
            if (m == 0) {
                continue;
            }
            int tilt = sign * m;
            double psiValue = tilt > 0 ? psiPlus[tilt] : psiMinus[-tilt];
            next[i] += tilt * STEP * w - ng * psiValue;
        }
        double[] logW = LogMath.gaussianLogWeights(NODES, STEP, tau, from, to, -1);
        double lm = LogMath.logSumExp(logW, next, from, to, -1);
        double uStat = groups.u();
        double pairs = nc * ns;
        return new BatchRankEProcess(alpha, tau, direction, scale, looks + 1, next, lm, Math.max(maxLogM, lm),
            sumU + uStat, sumPairs + pairs, uStat / pairs);
    }

    /**
     * ψ(sign·m·h) = ln((1/N) Σ_b t_b e^{sign·m·h·u_b}) for m = 1..J; the powers of e^{h·u_b} replace
     * J exponentials per group by multiplications (|u| &lt; ½, so nothing overflows).
     */
    private static double[] psi(TieGroups groups, double[] u, double n, int sign) {
        double[] acc = new double[NODES + 1];
        for (int b = 0; b < u.length; b++) {
            double t = groups.canary[b] + groups.stable[b];
            if (t == 0) {
                continue;
            }
            double ratio = Math.exp(sign * STEP * u[b]);
            double power = 1;
            for (int m = 1; m <= NODES; m++) {
                power *= ratio;
                acc[m] += t * power;
            }
        }
        double[] psi = new double[NODES + 1];
        for (int m = 1; m <= NODES; m++) {
            psi[m] = Math.log(acc[m] / n);
        }
        return psi;
    }

    @Override
    public String test() {
        return "batch rank-sum e-process";
    }

    /** P(canary &gt; stable) pooled over the intervals (ties ½); NaN before data. ½ means no shift. */
    public double auc() {
        return sumPairs > 0 ? sumU / sumPairs : Double.NaN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchRankEProcess b && alpha == b.alpha && tau == b.tau && direction == b.direction
            && scale == b.scale && looks == b.looks && Arrays.equals(ell, b.ell) && Double.compare(logM, b.logM) == 0
            && Double.compare(maxLogM, b.maxLogM) == 0 && Double.compare(sumU, b.sumU) == 0
            && Double.compare(sumPairs, b.sumPairs) == 0 && Double.compare(lastAuc, b.lastAuc) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ell) + Double.hashCode(logM) + looks;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "BatchRankEProcess[alpha=%s, tau=%s, direction=%s, scale=%s, looks=%d, "
            + "logM=%s, maxLogM=%s, auc=%s]", alpha, tau, direction, scale, looks, logM, maxLogM, auc());
    }
}
