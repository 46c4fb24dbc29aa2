package io.canaryjudge.judge;

import java.util.HashMap;
import java.util.Map;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Hodges-Lehmann estimate of canary − stable and its confidence interval, computed as R's
 * {@code wilcox.test.default(x, y, conf.int = TRUE, correct = TRUE)} does (R 4.2, stats package):
 * <ul>
 * <li>exact: order statistics of the pairwise differences at {@code qwilcox} quantiles, estimate =
 *     their median;
 * <li>asymptotic: the ends are roots, found by R's {@code uniroot} (Brent, tolerance 1e-4), of the
 *     tie- and continuity-corrected z of the rank sum of {@code x − μ} against y; the estimate is the
 *     root of the uncorrected z. Each evaluation is one O(n + m) merge ({@link PooledRanks}) that
 *     recomputes the pooled ties for that μ, as R does — instead of R's re-rank.
 * </ul>
 */
final class HodgesLehmann {

    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private HodgesLehmann() {
    }

    /** Exact interval for samples without ties; dist is the null distribution of U for (n, m). */
    static Shift exact(Runs x, Runs y, WilcoxonDistribution dist, Alternative alternative, double level) {
        final double[] xs = x.sorted();
        final double[] ys = y.sorted();
        final long nm = (long) xs.length * ys.length;
        final boolean small = nm <= 2_500;
        final double[] all = small ? PairwiseDifferences.all(xs, ys) : null;
        // 1-based order statistic of the differences, as R indexes diffs[]
        java.util.function.LongToDoubleFunction order = r ->
            small ? all[(int) r - 1] : PairwiseDifferences.kth(xs, ys, r - 1);
        final double alpha = 1 - level;
        double lower = Double.NEGATIVE_INFINITY;
        double upper = Double.POSITIVE_INFINITY;
        double achievedAlpha;
        switch (alternative) {
            case TWO_SIDED -> {
                int qu = Math.max(dist.quantile(alpha / 2), 1);
                long ql = nm - qu;
                achievedAlpha = 2 * dist.cdf(qu - 1);
                lower = order.applyAsDouble(qu);
                upper = order.applyAsDouble(ql + 1);
            }
            case GREATER -> {
                int qu = Math.max(dist.quantile(alpha), 1);
                achievedAlpha = dist.cdf(qu - 1);
                lower = order.applyAsDouble(qu);
            }
            default -> {
                int qu = Math.max(dist.quantile(alpha), 1);
                long ql = nm - qu;
                achievedAlpha = dist.cdf(qu - 1);
                upper = order.applyAsDouble(ql + 1);
            }
        }
        double achieved = achievedAlpha - alpha > alpha / 2 ? 1 - achievedAlpha : level;
        double estimate = median(nm, order);
        return new Shift(estimate, lower, upper, achieved);
    }

    private static double median(long count, java.util.function.LongToDoubleFunction order) {
        long half = (count + 1) / 2;
        return count % 2 == 1 ? order.applyAsDouble(half)
                : (order.applyAsDouble(half) + order.applyAsDouble(half + 1)) / 2;
    }

    /** Asymptotic interval and estimate, R's root-finding on the corrected z statistic. */
    static Shift asymptotic(Runs x, Runs y, Alternative alternative, double level, double tolerance) {
        final double muMin = x.min() - y.max();
        final double muMax = x.max() - y.min();
        if (!(muMin < muMax)) {
            // Both samples constant: every difference is the same, and R's uniroot would stop.
            double d = muMin;
            return oneSidedEnds(d, d, d, alternative, level);
        }
        final ZStatistic z = new ZStatistic(new PooledRanks(x, y), x.size(), y.size());
        final double alpha = 1 - level;
        final double zMin = z.corrected(muMin, alternative);
        final double zMax = z.corrected(muMax, alternative);
        double lower = Double.NEGATIVE_INFINITY;
        double upper = Double.POSITIVE_INFINITY;
        switch (alternative) {
            case TWO_SIDED -> {
                lower = root(z, alternative, muMin, muMax, zMin, zMax, STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2), tolerance);
                upper = root(z, alternative, muMin, muMax, zMin, zMax, STANDARD_NORMAL.inverseCumulativeProbability(alpha / 2), tolerance);
            }
            case GREATER -> lower = root(z, alternative, muMin, muMax, zMin, zMax, STANDARD_NORMAL.inverseSurvivalProbability(alpha), tolerance);
            default -> upper = root(z, alternative, muMin, muMax, zMin, zMax, STANDARD_NORMAL.inverseCumulativeProbability(alpha), tolerance);
        }
        // R sets correct <- FALSE before the estimate: the root of the uncorrected z.
        double fLower = z.uncorrected(muMin);
        double fUpper = z.uncorrected(muMax);
        double estimate = Math.signum(fLower) * Math.signum(fUpper) <= 0
                ? Zeroin.root(muMin, muMax, fLower, fUpper, z::uncorrected, tolerance)
                : PairwiseDifferences.kth(x.sorted(), y.sorted(), ((long) x.size() * y.size() - 1) / 2);
        if (lower > upper) {
            // Heavy ties make the corrected z jump around its root (its σ changes with μ), and R's uniroot then returns
            // the two ends inverted, sometimes beside the estimate (e.g. x mostly 0 and y almost all 0: ends 6.8e-6
            // and 3.3e-6 around an estimate of 2.9e-5). We answer the smallest interval holding both ends and the
            // estimate — never "lower > upper" (README, "How a metric is judged").
            double lo = Math.min(Math.min(lower, upper), estimate);
            double hi = Math.max(Math.max(lower, upper), estimate);
            lower = lo;
            upper = hi;
        }
        return new Shift(estimate, lower, upper, level);
    }

    private static Shift oneSidedEnds(double estimate, double lower, double upper, Alternative alternative, double level) {
        return switch (alternative) {
            case TWO_SIDED -> new Shift(estimate, lower, upper, level);
            case GREATER -> new Shift(estimate, lower, Double.POSITIVE_INFINITY, level);
            case LESS -> new Shift(estimate, Double.NEGATIVE_INFINITY, upper, level);
        };
    }

    private static double root(ZStatistic z, Alternative alternative, double muMin, double muMax,
                               double zMin, double zMax, double zq, double tolerance) {
        double fLower = zMin - zq;
        if (fLower <= 0) {
            return muMin;
        }
        double fUpper = zMax - zq;
        if (fUpper >= 0) {
            return muMax;
        }
        return Zeroin.root(muMin, muMax, fLower, fUpper, d -> z.corrected(d, alternative) - zq, tolerance);
    }

    /** R's W(d) of wilcox.test: (dz − correction) / σ with the ties of the pool at d; memoised per d. */
    static final class ZStatistic {
        private final PooledRanks ranks;
        private final double nx;
        private final double ny;
        private final Map<Double, PooledRanks.At> memo = new HashMap<>();

        ZStatistic(PooledRanks ranks, int n, int m) {
            this.ranks = ranks;
            this.nx = n;
            this.ny = m;
        }

        double corrected(double d, Alternative alternative) {
            PooledRanks.At at = memo.computeIfAbsent(d, ranks::at);
            double dz = dz(at);
            double correction = switch (alternative) {
                case TWO_SIDED -> Math.signum(dz) * 0.5;
                case GREATER -> 0.5;
                case LESS -> -0.5;
            };
            return (dz - correction) / sigma(at);
        }

        double uncorrected(double d) {
            PooledRanks.At at = memo.computeIfAbsent(d, ranks::at);
            return dz(at) / sigma(at);
        }

        private double dz(PooledRanks.At at) {
            return (at.twiceU() - nx * ny) / 2;
        }

        private double sigma(PooledRanks.At at) {
            return sigma(nx, ny, at.tieTerm());
        }

        static double sigma(double nx, double ny, long tieTerm) {
            return Math.sqrt(RankSumMoments.variance(nx, ny, tieTerm));
        }
    }
}
