package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Count metrics (errors out of requests): mixture likelihood-ratio e-processes on δ = ln(rate ratio),
 * conditional on each interval's total errors, so the baseline rate and the traffic split may change every
 * interval (docs/statistics.md, "Counts"; Lindon &amp; Malek 2022 with a grid prior on δ). Given N_t errors,
 * the canary's count is Binomial(N_t, θ_t(δ)), θ_t = q_t e^δ / (q_t e^δ + 1 − q_t), so interval t adds
 * λ_t(δ) = δ·Yc_t − N_t·ln(1 + q_t(e^δ − 1)) to the log-likelihood ratio Λ_t(δ) of δ against 0.
 *
 * <p>With {@link Margins} (the default for templates) three one-sided mixtures are read from the same Λ_t, in
 * the metric's bad direction b (b = δ for an increase, −δ for a decrease), each a mixture of likelihood ratios
 * against its null's boundary b₀ with normal weights (scale σ) on the nodes b₀ ± j·h, j ≥ 1:
 * <ul>
 *   <li>{@link #logM()} — H0: b ≤ ln(tolerance); crossing ln(1/α) means "worse than tolerance" (ABORT);</li>
 *   <li>{@link #ruleOutLogM()} — H0: b ≥ ln(detectable); crossing means the detectable regression is ruled out;</li>
 *   <li>{@link #withinLogM()} — H0: b ≥ ln(tolerance); crossing means "within tolerance" (early PROMOTE).</li>
 * </ul>
 * Each node's likelihood ratio has conditional mean ≤ 1 under its null in every interval (monotone likelihood
 * ratio of the binomial in δ), so each mixture is a test supermartingale and Ville's inequality bounds its
 * crossing probability by α however often we look, whatever the (fixed) weights. The abort and rule-out tests
 * centre their weights {@link #priorCenter()} nodes away from the boundary — the distance between tolerance and
 * detectable, where the alternative each must see lies (a doubled rate against "no worse than 1.2×"; a canary
 * within tolerance against "as bad as detectable") — so the evidence for those alternatives grows about as fast
 * as Wald's test that knows them; the within-tolerance test keeps half-normal weights (centre 0, the weights of
 * states stored before centring existed). The margins sit on the 0.01 grid of δ, rounded towards the null (a
 * tolerance of 1.2 is tested as e^0.19 = 1.209): never less conservative than asked.
 *
 * <p>{@link #lower()} and {@link #upper()} invert the first two tests over b₀: one-sided anytime-valid
 * (1 − α) bounds on the rate ratio canary/stable (Λ_t is concave, so the evidence is monotone in b₀).
 * Without margins (states stored before they existed, the reference vectors) logM is the plain test of r ≤ 1
 * (r ≥ 1 for a decrease, r = 1 two-sided for EITHER).
 *
 * <p>The state keeps sufficient statistics — the canary error total and N per distinct share q — rather than
 * node sums, because every quantity above is a function of Λ_t at some δ.
 */
public record CountRatioEProcess(double alpha, double sigma, Direction direction, Margins margins, int looks,
                                 long canaryErrors, long stableErrors, double canaryExposure, double stableExposure,
                                 List<Stratum> strata, double logM, double maxLogM, double ruleOutLogM,
                                 double withinLogM, double lower, double upper, int priorCenter)
    implements SequentialState {

    /** Grid step h and half-width J of the mixture's nodes: up to 5 in δ, a ratio of 148. */
    public static final double STEP = 0.01;
    public static final int NODES = 500;
    /** Bisection range of δ for the estimate and the two-sided confidence sequence. */
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
        if (margins != null && direction == Direction.EITHER) {
            throw new IllegalArgumentException("margins are one-sided: direction must be INCREASE or DECREASE");
        }
        if (looks < 0 || canaryErrors < 0 || stableErrors < 0) {
            throw new IllegalArgumentException("looks and errors must be >= 0");
        }
        if (!(canaryExposure >= 0) || !(stableExposure >= 0)) {
            throw new IllegalArgumentException("exposures must be >= 0");
        }
        if (strata == null) {
            throw new IllegalArgumentException("strata == null");
        }
        if (priorCenter < 0 || priorCenter > NODES) {
            throw new IllegalArgumentException("priorCenter not in [0, " + NODES + "]");
        }
        strata = List.copyOf(strata);
        long n = strata.stream().mapToLong(Stratum::errors).sum();
        if (n != canaryErrors + stableErrors) {
            throw new IllegalArgumentException("strata do not add up to the errors");
        }
    }

    /** A process before the first look (M_0 = 1) that tests r against 1 only. σ must be fixed before the start. */
    public static CountRatioEProcess start(double alpha, double sigma, Direction direction) {
        return new CountRatioEProcess(alpha, sigma, direction, null, 0, 0, 0, 0, 0, List.of(), 0, 0, Double.NaN,
            Double.NaN, 0, Double.POSITIVE_INFINITY, 0);
    }

    /** A process with margins before the first look; margins, σ and α must be fixed before the canary starts. */
    public static CountRatioEProcess start(double alpha, double sigma, Direction direction, Margins margins) {
        if (margins == null) {
            throw new IllegalArgumentException("margins == null");
        }
        return new CountRatioEProcess(alpha, sigma, direction, margins, 0, 0, 0, 0, 0, List.of(), 0, 0, 0, 0, 0,
            Double.POSITIVE_INFINITY, Math.max(0, floor(margins.detectable()) - ceil(margins.tolerance())));
    }

    /** The process after one more interval; an uninformative interval only counts as a look. */
    public CountRatioEProcess update(CountInterval interval) {
        if (interval == null) {
            throw new IllegalArgumentException("interval == null");
        }
        double ce = canaryExposure + interval.canaryExposure();
        double se = stableExposure + interval.stableExposure();
        if (!interval.informative()) {
            return new CountRatioEProcess(alpha, sigma, direction, margins, looks + 1, canaryErrors, stableErrors, ce,
                se, strata, logM, maxLogM, ruleOutLogM, withinLogM, lower, upper, priorCenter);
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
        CountEvidence e = new CountEvidence(c, next, direction == Direction.DECREASE ? -1 : 1, sigma, priorCenter);
        double abort;
        double ruleOut = Double.NaN;
        double within = Double.NaN;
        if (margins == null) {
            abort = direction == Direction.EITHER ? mixture(direction, sigma, nodeSums(c, next)) : e.above(0);
        } else {
            abort = e.above(ceil(margins.tolerance()));
            ruleOut = e.below(floor(margins.detectable()));
            within = e.belowHalfNormal(floor(margins.tolerance()));
        }
        double threshold = LogMath.threshold(alpha);
        double badLower = e.lowerBound(threshold);
        double badUpper = e.upperBound(threshold);
        double lo = direction == Direction.DECREASE ? Math.exp(-badUpper) : Math.exp(badLower);
        double hi = direction == Direction.DECREASE ? Math.exp(-badLower) : Math.exp(badUpper);
        return new CountRatioEProcess(alpha, sigma, direction, margins, looks + 1, c, s, ce, se, next, abort,
            Math.max(maxLogM, abort), ruleOut, within, lo, hi, priorCenter);
    }

    @Override
    public String test() {
        return "count e-process";
    }

    /** ln m_t of the two-sided mixture (H0: r = 1), the one the two-sided confidence sequence inverts. */
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

    /** The canary's and stable's error rates per unit of exposure over all intervals; NaN without exposure. */
    public double canaryRate() {
        return canaryExposure > 0 ? canaryErrors / canaryExposure : Double.NaN;
    }

    public double stableRate() {
        return stableExposure > 0 ? stableErrors / stableExposure : Double.NaN;
    }

    /** True once the detectable regression is ruled out at this look (margins only). */
    public boolean ruledOut() {
        return ruleOutLogM >= threshold();
    }

    /** True once the canary is shown within tolerance at this look (margins only). */
    public boolean withinTolerance() {
        return withinLogM >= threshold();
    }

    /**
     * The two-sided confidence sequence {δ : Λ_t(δ) &gt; ln m_t + ln α} for the ratio (Lindon &amp; Malek's
     * posterior-to-prior ratio), valid for a constant ratio; kept for the reference vectors. Decisions use the
     * one-sided {@link #lower()} and {@link #upper()}.
     */
    public RateRatio confidenceSequence() {
        double level = 1 - alpha;
        double est = estimate();
        if (strata.isEmpty()) {
            return new RateRatio(est, 0, Double.POSITIVE_INFINITY, level);
        }
        double cut = logMTwoSided() + Math.log(alpha);
        double mle = Double.isInfinite(est) ? DELTA_RANGE : est == 0 ? -DELTA_RANGE : Math.log(est);
        double lo = canaryErrors == 0 ? 0 : Math.exp(boundary(-DELTA_RANGE, mle, cut));
        double hi = stableErrors == 0 ? Double.POSITIVE_INFINITY : Math.exp(boundary(DELTA_RANGE, mle, cut));
        return new RateRatio(est, lo, hi, level);
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

    /** The grid index of a margin factor, rounded up (a null b ≤ ln f tested at a larger f is more conservative). */
    static int ceil(double factor) {
        return (int) Math.ceil(Math.log(factor) / STEP - 1e-9);
    }

    /** Rounded down: a null b ≥ ln f tested at a smaller f is more conservative. */
    static int floor(double factor) {
        return (int) Math.floor(Math.log(factor) / STEP + 1e-9);
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
