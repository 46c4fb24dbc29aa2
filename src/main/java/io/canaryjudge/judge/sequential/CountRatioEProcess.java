package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Count metrics (errors out of requests): the mixture likelihood-ratio e-process on δ = ln(rate
 * ratio), conditional on each interval's total errors, so the baseline rate and the traffic split may
 * change every interval (SEQUENTIAL.md §2.3; Lindon &amp; Malek 2022 with a grid prior on δ). Given
 * N_t errors, the canary's count is Binomial(N_t, θ_t(δ)), θ_t = q_t e^δ / (q_t e^δ + 1 − q_t), and
 * interval t contributes λ_t(δ) = δ·Yc_t − N_t·ln(1 + q_t(e^δ − 1)) to every node δ_j = j·h.
 *
 * <p>The state keeps the sufficient statistics — the canary error total and N per distinct share q —
 * rather than the 1 001 node sums, because the confidence sequence (§2.5) needs Λ_t(δ) at any δ.
 * Nodes: INCREASE j = 1..J (H0: r ≤ 1), DECREASE j = −J..−1, EITHER j = −J..J (H0: r = 1;
 * the node δ = 0 is included, as in the reference vectors).
 */
public record CountRatioEProcess(double alpha, double sigma, Direction direction, int looks, long canaryErrors,
                                 long stableErrors, List<Stratum> strata, double logM, double maxLogM)
    implements SequentialState {

    /** Grid step h and half-width J of δ: nodes up to δ = 5, a ratio of 148 (§2.3 defaults). */
    public static final double STEP = 0.01;
    public static final int NODES = 500;
    /** Bisection range of δ for the estimate and the confidence sequence (§2.5). */
    static final double DELTA_RANGE = 30;
    /** 60 / 2^100 is far below double resolution near any root that matters. */
    private static final int BISECTIONS = 100;
    private static final double[] DELTA = new double[2 * NODES + 1];
    private static final double[] EXPM1 = new double[2 * NODES + 1];

    static {
        for (int i = 0; i < DELTA.length; i++) {
            DELTA[i] = (i - NODES) * STEP;
            EXPM1[i] = Math.expm1(DELTA[i]);
        }
    }

    /** N errors in all informative intervals whose canary exposure share was q. */
    public record Stratum(double q, long errors) {
        public Stratum {
            if (!(q > 0 && q < 1)) {
                throw new IllegalArgumentException("q not in (0, 1)");
            }
            if (errors <= 0) {
                throw new IllegalArgumentException("errors must be > 0");
            }
        }
    }

    public CountRatioEProcess {
        LogMath.checkAlpha(alpha);
        LogMath.checkPositive(sigma, "sigma");
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        if (looks < 0 || canaryErrors < 0 || stableErrors < 0) {
            throw new IllegalArgumentException("looks and errors must be >= 0");
        }
        if (strata == null) {
            throw new IllegalArgumentException("strata == null");
        }
        strata = List.copyOf(strata);
        long n = strata.stream().mapToLong(Stratum::errors).sum();
        if (n != canaryErrors + stableErrors) {
            throw new IllegalArgumentException("strata do not add up to the errors");
        }
    }

    /** A process before the first look: M_0 = 1. σ must be fixed before the canary starts. */
    public static CountRatioEProcess start(double alpha, double sigma, Direction direction) {
        return new CountRatioEProcess(alpha, sigma, direction, 0, 0, 0, List.of(), 0, 0);
    }

    /** The process after one more interval; an uninformative interval only counts as a look. */
    public CountRatioEProcess update(CountInterval interval) {
        if (interval == null) {
            throw new IllegalArgumentException("interval == null");
        }
        if (!interval.informative()) {
            return new CountRatioEProcess(alpha, sigma, direction, looks + 1, canaryErrors, stableErrors, strata,
                logM, maxLogM);
        }
        double q = interval.canaryShare();
        List<Stratum> next = new ArrayList<>(strata.size() + 1);
        boolean merged = false;
        for (Stratum s : strata) {
            if (s.q() == q) {
                next.add(new Stratum(q, s.errors() + interval.errors()));
                merged = true;
            } else {
                next.add(s);
            }
        }
        if (!merged) {
            next.add(new Stratum(q, interval.errors()));
        }
        long c = canaryErrors + interval.canaryErrors();
        long s = stableErrors + interval.stableErrors();
        double lm = mixture(direction, sigma, nodeSums(c, next));
        return new CountRatioEProcess(alpha, sigma, direction, looks + 1, c, s, next, lm, Math.max(maxLogM, lm));
    }

    @Override
    public String test() {
        return "count e-process";
    }

    /** ln m_t of the two-sided mixture (H0: r = 1), the one the confidence sequence inverts. */
    public double logMTwoSided() {
        return mixture(Direction.EITHER, sigma, nodeSums(canaryErrors, strata));
    }

    /** Λ_t(δ) = δ·C_t − Σ_s N_s ln(1 + q_s(e^δ − 1)), the log-likelihood ratio of δ against 0. */
    public double logLikelihoodRatio(double delta) {
        double em1 = Math.expm1(delta);
        double sum = delta * canaryErrors;
        for (Stratum s : strata) {
            sum -= s.errors() * Math.log1p(s.q() * em1);
        }
        return sum;
    }

    /** The maximum-likelihood rate ratio: root of C_t = Σ N_s θ_s(δ); NaN before any error, ∞ without stable errors. */
    public double estimate() {
        if (strata.isEmpty()) {
            return Double.NaN;
        }
        if (canaryErrors == 0) {
            return 0;
        }
        if (stableErrors == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double lo = -DELTA_RANGE;
        double hi = DELTA_RANGE;
        for (int i = 0; i < BISECTIONS; i++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (score(mid) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.exp(0.5 * (lo + hi));
    }

    /**
     * The confidence sequence {δ : Λ_t(δ) > ln m_t + ln α} for the ratio, from the two-sided mixture
     * (§2.5, Lindon &amp; Malek's posterior-to-prior ratio). Valid for a constant ratio; not intersected
     * with earlier looks (allowed, but then it would no longer be this look's set).
     */
    public RateRatio confidenceSequence() {
        double level = 1 - alpha;
        double est = estimate();
        if (strata.isEmpty()) {
            return new RateRatio(est, 0, Double.POSITIVE_INFINITY, level);
        }
        double cut = logMTwoSided() + Math.log(alpha);
        double mle = Double.isInfinite(est) ? DELTA_RANGE : est == 0 ? -DELTA_RANGE : Math.log(est);
        double lower = canaryErrors == 0 ? 0 : Math.exp(boundary(-DELTA_RANGE, mle, cut));
        double upper = stableErrors == 0 ? Double.POSITIVE_INFINITY : Math.exp(boundary(DELTA_RANGE, mle, cut));
        return new RateRatio(est, lower, upper, level);
    }

    /** dΛ/dδ = C − Σ N θ(δ), decreasing in δ. */
    private double score(double delta) {
        double e = Math.exp(delta);
        double expected = 0;
        for (Stratum s : strata) {
            expected += s.errors() * s.q() * e / (s.q() * e + 1 - s.q());
        }
        return canaryErrors - expected;
    }

    /** Bisection to machine precision for Λ(δ) = cut between outside (Λ ≤ cut) and inside (Λ > cut). */
    private double boundary(double outside, double inside, double cut) {
        if (logLikelihoodRatio(outside) > cut) {
            return outside;
        }
        double out = outside;
        double in = inside;
        for (int i = 0; i < BISECTIONS; i++) {
            double mid = 0.5 * (out + in);
            if (mid == out || mid == in) {
                break;
            }
            if (logLikelihoodRatio(mid) > cut) {
                in = mid;
            } else {
                out = mid;
            }
        }
        return 0.5 * (out + in);
    }

    private static double[] nodeSums(long canaryErrors, List<Stratum> strata) {
        double[] ell = new double[DELTA.length];
        for (int i = 0; i < ell.length; i++) {
            double sum = DELTA[i] * canaryErrors;
            for (Stratum s : strata) {
                sum -= s.errors() * Math.log1p(s.q() * EXPM1[i]);
            }
            ell[i] = sum;
        }
        return ell;
    }

    private static double mixture(Direction direction, double sigma, double[] ell) {
        int from = direction == Direction.INCREASE ? NODES + 1 : 0;
        int to = direction == Direction.DECREASE ? NODES : 2 * NODES + 1;
        double[] logW = LogMath.gaussianLogWeights(NODES, STEP, sigma, from, to, -1);
        return LogMath.logSumExp(logW, ell, from, to, -1);
    }
}
