package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters of sequential judging (docs/statistics.md). All must be fixed before the canary starts:
 * each state records the values it was started with and {@link SequentialJudge} refuses a config that
 * no longer matches, because changing them mid-run voids the guarantee.
 *
 * @param alpha               family level, or per metric without the split (default 0.05)
 * @param splitAlpha          use α/m per test over the m tests of an analysis (Bonferroni; default false)
 * @param sigma               prior scale of δ = ln(rate ratio) for counts (default 0.5: fastest near 100 errors)
 * @param tau                 prior scale of the rank tilt θ (default 0.5: fastest in ~1 interval of 300 samples)
 * @param quantiles           quantiles of the informative Howard-Ramdas tests (default p50 and p99)
 * @param tOpt                samples per arm at which the quantile mixture is tuned (default 3000)
 * @param fastMode            also run the asymptotic normal-approximation rank mSPRT (default false)
 * @param vOpt                intervals at which the fast mode is tuned (default 5)
 * @param earlyPromote        promote before the planned end once every critical metric is shown within its
 *                            tolerance (default true)
 * @param minPromoteIntervals looks before an early PROMOTE may happen (default 5)
 * @param maxCount            intervals the analysis may run while it cannot yet rule out a critical metric's
 *                            detectable regression; 0 means twice the template's count (the default)
 * @param tailQuantile        continuous metrics where higher is worse: the pooled quantile whose boundary the tail
 *                            test counts requests above (default 0.99; 0 turns the tail test off, as in analyses
 *                            stored before it existed)
 * @param tailTolerance       the tail test's tolerance as a relative change of the share above that boundary
 *                            (default 0.5: ABORT once the canary's share is shown above 1.5 × stable's)
 */
public record SequentialConfig(double alpha, boolean splitAlpha, double sigma, double tau, List<Double> quantiles,
                               double tOpt, boolean fastMode, double vOpt, boolean earlyPromote,
                               int minPromoteIntervals, int maxCount, double tailQuantile, double tailTolerance) {

    private static final SequentialConfig DEFAULTS = new SequentialConfig(0.05, false, 0.5, 0.5, List.of(0.5, 0.99),
        QuantileEProcess.DEFAULT_T_OPT, false, RankZMixture.DEFAULT_V_OPT, true, 5, 0, 0.99, 0.5);

    public SequentialConfig {
        LogMath.checkAlpha(alpha);
        LogMath.checkPositive(sigma, "sigma");
        LogMath.checkPositive(tau, "tau");
        if (quantiles == null) {
            throw new IllegalArgumentException("quantiles == null");
        }
        for (Double p : quantiles) {
            if (p == null || !(p > 0 && p < 1)) {
                throw new IllegalArgumentException("quantile not in (0, 1)");
            }
        }
        quantiles = List.copyOf(quantiles);
        LogMath.checkPositive(tOpt, "tOpt");
        LogMath.checkPositive(vOpt, "vOpt");
        if (minPromoteIntervals < 1) {
            throw new IllegalArgumentException("minPromoteIntervals must be >= 1");
        }
        if (maxCount < 0) {
            throw new IllegalArgumentException("maxCount must be >= 0 (0: twice count)");
        }
        if (!(tailQuantile >= 0 && tailQuantile < 1)) {
            throw new IllegalArgumentException("tailQuantile must be in [0, 1) (0: no tail test)");
        }
        if (!(tailTolerance >= 0) || Double.isInfinite(tailTolerance)) {
            throw new IllegalArgumentException("tailTolerance must be >= 0");
        }
    }

    /** α 0.05 per test, σ 0.5, τ 0.5, p50 and p99 with t_opt 3000, no fast mode, early promote after 5 looks. */
    public static SequentialConfig defaults() {
        return DEFAULTS;
    }

    public SequentialConfig withAlpha(double value) {
        return new SequentialConfig(value, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withSplitAlpha(boolean value) {
        return new SequentialConfig(alpha, value, sigma, tau, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withSigma(double value) {
        return new SequentialConfig(alpha, splitAlpha, value, tau, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withTau(double value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, value, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withQuantiles(List<Double> value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, value, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withFastMode(boolean value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, value, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, tailQuantile, tailTolerance);
    }

    /** Early PROMOTE on or off, after {@code afterIntervals} looks. */
    public SequentialConfig withEarlyPromote(boolean value, int afterIntervals) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt, value,
            afterIntervals, maxCount, tailQuantile, tailTolerance);
    }

    public SequentialConfig withMaxCount(int value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, value, tailQuantile, tailTolerance);
    }

    /** The tail test at another quantile (0: off) and tolerance. */
    public SequentialConfig withTail(double quantile, double tolerance) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt, earlyPromote,
            minPromoteIntervals, maxCount, quantile, tolerance);
    }

    /** A tail test of a metric that is bad when higher, or null when the tail test is off. */
    public TailEProcess startTail(int tests) {
        if (tailQuantile == 0) {
            return null;
        }
        double tol = 1 + tailTolerance;
        return TailEProcess.start(testAlpha(tests), sigma, tailQuantile, new Margins(tol, Math.min(Margins.MAX_FACTOR,
            2 * tol)));
    }

    /** The most intervals an analysis of {@code count} planned intervals may run: maxCount, or 2 × count. */
    public int maxIntervals(int count) {
        return maxCount == 0 ? 2 * count : Math.max(count, maxCount);
    }

    /** The level of each of {@code tests} sequential tests: α, or α/m with the split. */
    public double testAlpha(int tests) {
        if (tests < 1) {
            throw new IllegalArgumentException("tests must be >= 1");
        }
        return splitAlpha ? alpha / tests : alpha;
    }

    /** A count e-process at this config's σ, for one of {@code tests} tests; margins null: r against 1 only. */
    public CountRatioEProcess startCounts(Direction direction, int tests, Margins margins) {
        return margins == null ? CountRatioEProcess.start(testAlpha(tests), sigma, direction)
            : CountRatioEProcess.start(testAlpha(tests), sigma, direction, margins);
    }

    /** The exact batch rank e-process at this config's τ, the canary divided by {@code scale} (1: no margin). */
    public BatchRankEProcess startRanks(Direction direction, int tests, double scale) {
        return BatchRankEProcess.start(testAlpha(tests), tau, direction, scale);
    }

    /** A paired sign test of a level read as a few points per interval, the canary divided by {@code scale}. */
    public PairedSignEProcess startSign(Direction direction, int tests, double scale) {
        return PairedSignEProcess.start(testAlpha(tests), direction, scale);
    }

    /** One quantile test per configured quantile. */
    public List<QuantileEProcess> startQuantiles(Direction direction, int tests) {
        List<QuantileEProcess> out = new ArrayList<>();
        for (double p : quantiles) {
            out.add(QuantileEProcess.start(testAlpha(tests), p, tOpt, direction));
        }
        return List.copyOf(out);
    }

    /** One histogram-bucket quantile test per configured quantile (continuous metrics read from buckets). */
    public List<HistogramQuantileEProcess> startHistogramQuantiles(Direction direction, int tests) {
        List<HistogramQuantileEProcess> out = new ArrayList<>();
        for (double p : quantiles) {
            out.add(HistogramQuantileEProcess.start(testAlpha(tests), p, tOpt, direction));
        }
        return List.copyOf(out);
    }

    /** The asymptotic fast mode; refused unless {@link #fastMode()} was opted into. */
    public RankZMixture startFastRanks(Direction direction, int tests, double scale) {
        if (!fastMode) {
            throw new IllegalStateException("fast mode is asymptotic: opt in with withFastMode(true)");
        }
        return RankZMixture.start(testAlpha(tests), vOpt, direction, scale);
    }
}
