package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import org.apache.commons.math3.special.Beta;

/**
 * Lindon &amp; Malek's closed-form Bayes factor for a <em>constant</em> canary share q (the
 * 2-category Dirichlet-multinomial with prior Beta(kq, k(1 − q)) centred on the null; docs/statistics.md
 * §3). A cross-check of {@link CountRatioEProcess} and a fast path for a fixed split: with a wrong or
 * drifting q it is not valid. {@code logM} is the one-sided (prior truncated to θ &gt; q) factor for
 * INCREASE, the two-sided one for EITHER.
 */
public record BetaBinomialLM(double alpha, double k, double q, Direction direction, int looks, long canaryErrors,
                             long stableErrors, double logBFTwoSided, double logBFOneSided, double logM,
                             double maxLogM) implements SequentialState {

    /** Errors at which the prior concentration is tuned by default (k = 11.60 at α = 0.05). */
    public static final double DEFAULT_OPTIMAL_ERRORS = 100;

    public BetaBinomialLM {
        LogMath.checkAlpha(alpha);
        LogMath.checkPositive(k, "k");
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("q not in (0, 1)");
        }
        if (direction == null || direction == Direction.DECREASE) {
            throw new IllegalArgumentException("direction must be INCREASE or EITHER");
        }
        if (looks < 0 || canaryErrors < 0 || stableErrors < 0) {
            throw new IllegalArgumentException("looks and errors must be >= 0");
        }
    }

    /** Tuned with confseq's {@code BetaBinomialMixture::optimal_r} for {@link #DEFAULT_OPTIMAL_ERRORS}. */
    public static BetaBinomialLM start(double alpha, double q, Direction direction) {
        return start(alpha, concentration(DEFAULT_OPTIMAL_ERRORS, q, alpha), q, direction);
    }

    public static BetaBinomialLM start(double alpha, double k, double q, Direction direction) {
        return new BetaBinomialLM(alpha, k, q, direction, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Prior concentration k for n_opt errors: ρ = n_opt·q(1−q)/(2L + ln(1+2L)), L = ln(1/α),
     * r = max(ρ − q(1−q), 10⁻³·q(1−q)), k = r/(q(1−q)) (confseq {@code BetaBinomialMixture::optimal_r}).
     */
    public static double concentration(double optimalErrors, double q, double alpha) {
        double v = q * (1 - q);
        double l = Math.log(1 / alpha);
        double rho = LogMath.mixtureRho(optimalErrors * v, l);
        return Math.max(rho - v, 1e-3 * v) / v;
    }

    /** The factor after one more interval's errors (the split is the fixed q). */
    public BetaBinomialLM update(long canaryErrors, long stableErrors) {
        if (canaryErrors < 0 || stableErrors < 0) {
            throw new IllegalArgumentException("errors must be >= 0");
        }
        long c = this.canaryErrors + canaryErrors;
        long s = this.stableErrors + stableErrors;
        double a0 = k * q;
        double b0 = k * (1 - q);
        double two = Beta.logBeta(a0 + c, b0 + s) - Beta.logBeta(a0, b0) - c * Math.log(q) - s * Math.log1p(-q);
        // Truncating the prior to θ > q: P(θ > q) posterior over prior, via I_{1−q}(b, a) = 1 − I_q(a, b).
        double one = two + Math.log(Beta.regularizedBeta(1 - q, b0 + s, a0 + c))
            - Math.log(Beta.regularizedBeta(1 - q, b0, a0));
        double lm = direction == Direction.INCREASE ? one : two;
        return new BetaBinomialLM(alpha, k, q, direction, looks + 1, c, s, two, one, lm, Math.max(maxLogM, lm));
    }

    @Override
    public String test() {
        return "Lindon-Malek beta-binomial Bayes factor";
    }
}
