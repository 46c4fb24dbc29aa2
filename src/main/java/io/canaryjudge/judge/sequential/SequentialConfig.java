package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Parameters of sequential judging (SEQUENTIAL.md §6). All must be fixed before the canary starts:
 * each state records the values it was started with and {@link SequentialJudge} refuses a config that
 * no longer matches, because changing them mid-run voids the guarantee.
 *
 * @param alpha               family level, or per metric without the split (default 0.05)
 * @param splitAlpha          use α/m per test over the m tests of an analysis (Bonferroni; default false)
 * @param sigma               prior scale of δ = ln(rate ratio) for counts (default 0.5: fastest near 100 errors)
 * @param tau                 prior scale of the rank tilt θ (default 0.5: fastest in ~1 interval of 300 samples)
 * @param quantiles           quantiles for the Howard-Ramdas test (default p50 and p99)
 * @param tOpt                samples per arm at which the quantile mixture is tuned (default 3000)
 * @param fastMode            also run the asymptotic normal-approximation rank mSPRT (default false)
 * @param vOpt                intervals at which the fast mode is tuned (default 5)
 * @param rTol                rate-ratio tolerance for early PROMOTE, &gt; 1 (default 1.25: "less than 25 % worse")
 * @param earlyPromote        promote once every metric's rate-ratio interval lies inside rTol (default false)
 * @param minPromoteIntervals looks before an early PROMOTE may happen (default 10, 5 minutes at 30 s)
 */
public record SequentialConfig(double alpha, boolean splitAlpha, double sigma, double tau, List<Double> quantiles,
                               double tOpt, boolean fastMode, double vOpt, double rTol, boolean earlyPromote,
                               int minPromoteIntervals) {

    private static final SequentialConfig DEFAULTS = new SequentialConfig(0.05, false, 0.5, 0.5, List.of(0.5, 0.99),
        QuantileABTest.DEFAULT_T_OPT, false, RankZMixture.DEFAULT_V_OPT, 1.25, false, 10);

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
        if (!(rTol > 1) || Double.isInfinite(rTol)) {
            throw new IllegalArgumentException("rTol must be > 1");
        }
        if (minPromoteIntervals < 1) {
            throw new IllegalArgumentException("minPromoteIntervals must be >= 1");
        }
    }

    /** α 0.05 per test, σ 0.5, τ 0.5, p50 and p99 with t_opt 3000, no fast mode, no early promote (r_tol 1.25 after 10). */
    public static SequentialConfig defaults() {
        return DEFAULTS;
    }

    public SequentialConfig withAlpha(double value) {
        return new SequentialConfig(value, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt, rTol,
            earlyPromote, minPromoteIntervals);
    }

    public SequentialConfig withSplitAlpha(boolean value) {
        return new SequentialConfig(alpha, value, sigma, tau, quantiles, tOpt, fastMode, vOpt, rTol, earlyPromote,
            minPromoteIntervals);
    }

    public SequentialConfig withSigma(double value) {
        return new SequentialConfig(alpha, splitAlpha, value, tau, quantiles, tOpt, fastMode, vOpt, rTol,
            earlyPromote, minPromoteIntervals);
    }

    public SequentialConfig withTau(double value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, value, quantiles, tOpt, fastMode, vOpt, rTol,
            earlyPromote, minPromoteIntervals);
    }

    public SequentialConfig withQuantiles(List<Double> value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, value, tOpt, fastMode, vOpt, rTol, earlyPromote,
            minPromoteIntervals);
    }

    public SequentialConfig withFastMode(boolean value) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, value, vOpt, rTol, earlyPromote,
            minPromoteIntervals);
    }

    public SequentialConfig withEarlyPromote(double rateRatioTolerance, int afterIntervals) {
        return new SequentialConfig(alpha, splitAlpha, sigma, tau, quantiles, tOpt, fastMode, vOpt,
            rateRatioTolerance, true, afterIntervals);
    }

    /** The level of each of {@code tests} sequential tests: α, or α/m with the split. */
    public double testAlpha(int tests) {
        if (tests < 1) {
            throw new IllegalArgumentException("tests must be >= 1");
        }
        return splitAlpha ? alpha / tests : alpha;
    }

    /** A count e-process at this config's σ, for one of {@code tests} tests. */
    public CountRatioEProcess startCounts(Direction direction, int tests) {
        return CountRatioEProcess.start(testAlpha(tests), sigma, direction);
    }

    /** The exact batch rank e-process at this config's τ (the default abort test for continuous metrics). */
    public BatchRankEProcess startRanks(Direction direction, int tests) {
        return BatchRankEProcess.start(testAlpha(tests), tau, direction);
    }

    /** One quantile test per configured quantile. */
    public List<QuantileABTest> startQuantiles(Direction direction, int tests) {
        List<QuantileABTest> out = new ArrayList<>();
        for (double p : quantiles) {
            out.add(QuantileABTest.start(testAlpha(tests), p, tOpt, direction));
        }
        return List.copyOf(out);
    }

    /** One histogram-bucket quantile test per configured quantile (continuous metrics read from buckets). */
    public List<HistogramQuantileTest> startHistogramQuantiles(Direction direction, int tests) {
        List<HistogramQuantileTest> out = new ArrayList<>();
        for (double p : quantiles) {
            out.add(HistogramQuantileTest.start(testAlpha(tests), p, tOpt, direction));
        }
        return List.copyOf(out);
    }

    /** The asymptotic fast mode; refused unless {@link #fastMode()} was opted into. */
    public RankZMixture startFastRanks(Direction direction, int tests) {
        if (!fastMode) {
            throw new IllegalStateException("fast mode is asymptotic: opt in with withFastMode(true)");
        }
        return RankZMixture.start(testAlpha(tests), vOpt, direction);
    }
}
