package io.canaryjudge.backtest;

import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * The exact (Clopper–Pearson) confidence interval of a binomial proportion, as R's {@code binom.test(k, n)$conf.int}:
 * lower = qbeta(α/2, k, n−k+1), upper = qbeta(1−α/2, k+1, n−k), with 0 and 1 at the ends.
 */
record ClopperPearson(int successes, int trials, double confidenceLevel, double estimate, double lower, double upper) {
    private static final double ACCURACY = 1e-14;

    static ClopperPearson of(int k, int n, double level) {
        if (n < 1 || k < 0 || k > n) {
            throw new IllegalArgumentException("need 0 <= k <= n and n >= 1");
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1)");
        }
        double alpha = 1 - level;
        double lower = k == 0 ? 0 : new BetaDistribution(null, k, n - k + 1.0, ACCURACY)
                .inverseCumulativeProbability(alpha / 2);
        double upper = k == n ? 1 : new BetaDistribution(null, k + 1.0, n - k, ACCURACY)
                .inverseCumulativeProbability(1 - alpha / 2);
        return new ClopperPearson(k, n, level, (double) k / n, lower, upper);
    }
}
