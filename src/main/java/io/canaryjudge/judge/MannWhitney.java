package io.canaryjudge.judge;

import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.ContinuityCorrection;
import org.apache.commons.statistics.inference.MannWhitneyUTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Mann-Whitney U test of canary against stable with the Hodges-Lehmann shift and its confidence
 * interval; with {@link TestMethod#AUTO} the numbers equal R's
 * {@code wilcox.test(canary, stable, alternative, conf.int = TRUE, conf.level, correct = TRUE)}.
 * Immutable and thread-safe: configure with {@code withDefaults().with(...)}.
 *
 * <p>Cost: one sort of each sample, then O(n + m) per root-finder step for the asymptotic interval;
 * the exact case (both samples under 50 values) enumerates the n·m differences.
 */
public final class MannWhitney {

    /** R's {@code wilcox.test} rule: exact p-values while both samples are below this size. */
    public static final int EXACT_LIMIT = 50;
    /** R's default {@code tol.root} for the asymptotic interval and estimate. */
    public static final double R_ROOT_TOLERANCE = 1e-4;

    private static final MannWhitney DEFAULTS =
        new MannWhitney(Alternative.TWO_SIDED, TestMethod.AUTO, 0.95, R_ROOT_TOLERANCE);
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private final Alternative alternative;
    private final TestMethod method;
    private final double confidenceLevel;
    private final double rootTolerance;

    private MannWhitney(Alternative alternative, TestMethod method, double confidenceLevel, double rootTolerance) {
        this.alternative = alternative;
        this.method = method;
        this.confidenceLevel = confidenceLevel;
        this.rootTolerance = rootTolerance;
    }

    /** Two-sided, AUTO, 95 %, R's root tolerance. */
    public static MannWhitney withDefaults() {
        return DEFAULTS;
    }

    public MannWhitney with(Alternative alternative) {
        if (alternative == null) {
            throw new IllegalArgumentException("alternative == null");
        }
        return new MannWhitney(alternative, method, confidenceLevel, rootTolerance);
    }

    public MannWhitney with(TestMethod method) {
        if (method == null) {
            throw new IllegalArgumentException("method == null");
        }
        return new MannWhitney(alternative, method, confidenceLevel, rootTolerance);
    }

    public MannWhitney withConfidenceLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level not in (0, 1)");
        }
        return new MannWhitney(alternative, method, level, rootTolerance);
    }

    /** Absolute tolerance of the asymptotic interval ends and estimate (R's {@code tol.root}). */
    public MannWhitney withRootTolerance(double tolerance) {
        if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("root tolerance must be > 0");
        }
        return new MannWhitney(alternative, method, confidenceLevel, tolerance);
    }

    public Alternative alternative() {
        return alternative;
    }

    public TestMethod method() {
        return method;
    }

    public double confidenceLevel() {
        return confidenceLevel;
    }

    public double rootTolerance() {
        return rootTolerance;
    }

    /** Tests canary against stable; both non-empty and finite (the judge drops NaN before). */
    public RankSumResult compare(double[] canary, double[] stable) {
        check(canary, "canary");
        check(stable, "stable");
        final int n = canary.length;
        final int m = stable.length;
        final Runs x = Runs.of(canary);
        final Runs y = Runs.of(stable);
        final PooledRanks.At atZero = new PooledRanks(x, y).at(0);
        final double u = atZero.twiceU() / 2.0;
        final boolean ties = atZero.tieTerm() != 0;
        final boolean exact = !ties && switch (method) {
            case AUTO -> n < EXACT_LIMIT && m < EXACT_LIMIT;
            case EXACT -> true;
            case ASYMPTOTIC -> false;
        };
        if (exact) {
            WilcoxonDistribution dist = new WilcoxonDistribution(n, m);
            double p = n < EXACT_LIMIT && m < EXACT_LIMIT ? commonsExactP(canary, stable) : exactP(dist, u, n, m);
            return new RankSumResult(u, p, TestMethod.EXACT,
                HodgesLehmann.exact(x, y, dist, alternative, confidenceLevel));
        }
        double p = asymptoticP(atZero, n, m);
        return new RankSumResult(u, p, TestMethod.ASYMPTOTIC,
            HodgesLehmann.asymptotic(x, y, alternative, confidenceLevel, rootTolerance));
    }

    private static void check(double[] sample, String name) {
        if (sample == null) {
            throw new IllegalArgumentException(name + " == null");
        }
        if (sample.length == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        for (double v : sample) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " has a non-finite value");
            }
        }
    }

    /** Commons Statistics' exact p equals R's pwilcox-based one for samples under 50 (see the golden tests). */
    private double commonsExactP(double[] canary, double[] stable) {
        AlternativeHypothesis h = switch (alternative) {
            case TWO_SIDED -> AlternativeHypothesis.TWO_SIDED;
            case GREATER -> AlternativeHypothesis.GREATER_THAN;
            case LESS -> AlternativeHypothesis.LESS_THAN;
        };
        return MannWhitneyUTest.withDefaults()
            .with(h)
            .with(PValueMethod.EXACT)
            .with(ContinuityCorrection.ENABLED)
            .test(canary, stable)
            .getPValue();
    }

    /** Forced exact beyond Commons' safe range: R's pwilcox arithmetic on our own table. */
    private double exactP(WilcoxonDistribution dist, double u, int n, int m) {
        return switch (alternative) {
            case GREATER -> dist.survival(u);
            case LESS -> dist.cdf(u);
            case TWO_SIDED -> Math.min(1, 2 * (u > n * (double) m / 2 ? dist.survival(u) : dist.cdf(u)));
        };
    }

    /**
     * Tie- and continuity-corrected normal approximation, the formula of R and of Commons'
     * {@code MannWhitneyUTest}; computed here from the merge we already did, because Commons would
     * rank the pooled sample again (an extra O(N log N) sort on the hot path).
     */
    private double asymptoticP(PooledRanks.At at, int n, int m) {
        double dz = (at.twiceU() - (double) n * m) / 2;
        double correction = switch (alternative) {
            case TWO_SIDED -> Math.signum(dz) * 0.5;
            case GREATER -> 0.5;
            case LESS -> -0.5;
        };
        double sigma = HodgesLehmann.ZStatistic.sigma(n, m, at.tieTerm());
        double z = (dz - correction) / sigma;
        if (Double.isNaN(z)) {
            return 1; // all values tied: no evidence of a shift
        }
        return switch (alternative) {
            case GREATER -> STANDARD_NORMAL.survivalProbability(z);
            case LESS -> STANDARD_NORMAL.cumulativeProbability(z);
            case TWO_SIDED -> Math.min(1, 2 * STANDARD_NORMAL.survivalProbability(Math.abs(z)));
        };
    }
}
