package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.RankSumMoments;

/**
 * Opt-in "fast mode", <b>asymptotic only</b>: the normal-mixture mSPRT (Johari, Pekelis &amp; Walsh;
 * confseq {@code OneSidedNormalMixture::log_superMG}) on the sum of per-interval standardised
 * Mann-Whitney statistics Z_t (tie-corrected), docs/statistics.md, Informative tests. Z_t is only asymptotically N(0, 1),
 * so the false-alarm bound holds for large cohorts (≥ 100 samples per cohort per interval), not for
 * one point per interval. √2 more signal per interval than {@link BatchRankEProcess} with equal cohorts.
 * {@code scale} ≠ 1 tests a margin the same way as {@link BatchRankEProcess}: the canary divided by it.
 */
public record RankZMixture(double alpha, double vOpt, Direction direction, double scale, int looks, int intervals,
                           double sumZ, double logM, double maxLogM) implements SequentialState {

    /** Intervals at which the mixture is tuned by default. */
    public static final double DEFAULT_V_OPT = 5;

    public RankZMixture {
        LogMath.checkAlpha(alpha);
        LogMath.checkPositive(vOpt, "vOpt");
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        scale = scale == 0 ? 1 : scale; // states stored before margins existed
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be > 0");
        }
        if (looks < 0 || intervals < 0 || intervals > looks) {
            throw new IllegalArgumentException("0 <= intervals <= looks");
        }
    }

    public static RankZMixture start(double alpha, double vOpt, Direction direction) {
        return start(alpha, vOpt, direction, 1);
    }

    public static RankZMixture start(double alpha, double vOpt, Direction direction, double scale) {
        return new RankZMixture(alpha, vOpt, direction, scale, 0, 0, 0, 0, 0);
    }

    /** The process after one interval of raw values; an empty cohort or all-tied data only counts as a look. */
    public RankZMixture update(double[] canary, double[] stable) {
        return update(TieGroups.ofScaledSamples(canary, stable, scale));
    }

    /** The process after one interval of per-bucket histogram counts on the same boundaries. */
    public RankZMixture updateHistogram(long[] canaryBuckets, long[] stableBuckets) {
        if (scale != 1) {
            throw new IllegalStateException("a margin test needs the bucket boundaries");
        }
        return update(TieGroups.ofBuckets(canaryBuckets, stableBuckets));
    }

    /** The same with the finite upper edges of the buckets, which a margin test ({@code scale} ≠ 1) needs. */
    public RankZMixture updateHistogram(double[] bounds, long[] canaryBuckets, long[] stableBuckets) {
        return update(scale == 1 ? TieGroups.ofBuckets(canaryBuckets, stableBuckets)
            : TieGroups.ofScaledBuckets(bounds, canaryBuckets, stableBuckets, scale));
    }

    private RankZMixture update(TieGroups groups) {
        double nc = groups.canaryTotal;
        double ns = groups.stableTotal;
        double n = nc + ns;
        double variance = RankSumMoments.variance(nc, ns, groups.tieTerm());
        if (nc == 0 || ns == 0 || !(variance > 0)) {
            return new RankZMixture(alpha, vOpt, direction, scale, looks + 1, intervals, sumZ, logM, maxLogM);
        }
        double z = (groups.u() - nc * ns / 2) / Math.sqrt(variance);
        double s = sumZ + (direction == Direction.DECREASE ? -z : z);
        int v = intervals + 1;
        double lm = logSuperMartingale(s, v);
        return new RankZMixture(alpha, vOpt, direction, scale, looks + 1, v, s, lm, Math.max(maxLogM, lm));
    }

    /** Howard et al. (2021) normal mixtures: one-sided with L = ln(1/(2α)), two-sided with L = ln(1/α). */
    private double logSuperMartingale(double s, double v) {
        boolean twoSided = direction == Direction.EITHER;
        double l = Math.log(1 / (twoSided ? alpha : 2 * alpha));
        double rho = LogMath.mixtureRho(vOpt, l);
        if (twoSided) {
            return 0.5 * Math.log(rho / (v + rho)) + s * s / (2 * (v + rho));
        }
        return 0.5 * Math.log(4 * rho / (v + rho)) + s * s / (2 * (v + rho)) + LogMath.logPhi(s / Math.sqrt(v + rho));
    }

    /** Mean standardised shift per interval, S_t / t; ~0 under H0. */
    public double meanZ() {
        return intervals > 0 ? sumZ / intervals : Double.NaN;
    }

    @Override
    public String test() {
        return "normal-approximation rank mSPRT (fast mode, asymptotic)";
    }

    @Override
    public boolean asymptotic() {
        return true;
    }
}
