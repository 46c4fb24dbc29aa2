package io.canaryjudge.judge.sequential;

import static io.canaryjudge.judge.sequential.CountRatioEProcess.NODES;
import static io.canaryjudge.judge.sequential.CountRatioEProcess.STEP;

import java.util.List;

/**
 * The evidence of a {@link CountRatioEProcess} at one look: Λ_t on the grid b = k·h, k = −2J..2J, in the bad
 * direction's coordinate (b = sign·δ), and the one-sided mixtures read from it. The weights over the nodes j = 1..J
 * (relative to each null) are the same for every null, so each family inverts into a confidence bound.
 */
final class CountEvidence {
    /** Half-width of the Λ grid: nulls up to ±5 with their nodes up to ±10 more. */
    private static final int GRID = 2 * NODES;
    private static final double[] GRID_EXPM1 = new double[2 * GRID + 1];

    static {
        for (int i = 0; i < GRID_EXPM1.length; i++) {
            GRID_EXPM1[i] = Math.expm1((i - GRID) * STEP);
        }
    }

    private final double[] lam = new double[2 * GRID + 1];
    private final double[] logW;
    private final double[] halfNormal;

    CountEvidence(long canaryErrors, List<CountRatioEProcess.Stratum> strata, int sign, double sigma, int center) {
        for (int k = -GRID; k <= GRID; k++) {
            int i = sign * k + GRID;
            double sum = (i - GRID) * STEP * canaryErrors;
            for (CountRatioEProcess.Stratum s : strata) {
                sum -= s.errors() * Math.log1p(s.q() * GRID_EXPM1[i]);
            }
            lam[k + GRID] = sum;
        }
        halfNormal = nodeWeights(0, sigma);
        logW = center == 0 ? halfNormal : nodeWeights(center, sigma);
    }

    /** ln of the mixture against H0: b ≤ k0·h (nodes above); non-increasing in k0 (Λ_t is concave). */
    double above(int k0) {
        return mix(k0, 1, logW);
    }

    /** ln of the mixture against H0: b ≥ k0·h (nodes below); non-decreasing in k0. */
    double below(int k0) {
        return mix(k0, -1, logW);
    }

    /** {@link #below} with half-normal weights: the within-tolerance test, whose alternative is "no change". */
    double belowHalfNormal(int k0) {
        return mix(k0, -1, halfNormal);
    }

    private double mix(int k0, int side, double[] logW) {
        int base = k0 + GRID;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 1; j <= NODES; j++) {
            max = Math.max(max, logW[j] + lam[base + side * j]);
        }
        double sum = 0;
        for (int j = 1; j <= NODES; j++) {
            sum += Math.exp(logW[j] + lam[base + side * j] - max);
        }
        return max + Math.log(sum) - lam[base];
    }

    /** sup of the nulls b ≤ b₀ rejected at this look: −∞ if none, ≥ J·h is reported as J·h. */
    double lowerBound(double threshold) {
        if (above(-NODES) < threshold) {
            return Double.NEGATIVE_INFINITY;
        }
        int lo = -NODES; // rejected
        int hi = NODES;
        if (above(hi) >= threshold) {
            return hi * STEP;
        }
        while (hi - lo > 1) { // invariant: above(lo) ≥ threshold > above(hi)
            int mid = Math.floorDiv(lo + hi, 2);
            if (above(mid) >= threshold) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo * STEP;
    }

    /** inf of the nulls b ≥ b₀ rejected at this look: +∞ if none. */
    double upperBound(double threshold) {
        if (below(NODES) < threshold) {
            return Double.POSITIVE_INFINITY;
        }
        int lo = -NODES;
        int hi = NODES; // rejected
        if (below(lo) >= threshold) {
            return lo * STEP;
        }
        while (hi - lo > 1) { // invariant: below(lo) < threshold ≤ below(hi)
            int mid = Math.floorDiv(lo + hi, 2);
            if (below(mid) >= threshold) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi * STEP;
    }

    /**
     * ln of the weights of nodes j = 1..J (index 0 unused): a normal density of scale σ centred at node c, normalised
     * over the nodes; c = 0 gives the half-normal.
     */
    static double[] nodeWeights(int center, double sigma) {
        double[] w = new double[NODES + 1];
        w[0] = Double.NEGATIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 1; j <= NODES; j++) {
            double x = (j - center) * STEP;
            w[j] = -x * x / (2 * sigma * sigma);
            max = Math.max(max, w[j]);
        }
        double sum = 0;
        for (int j = 1; j <= NODES; j++) {
            sum += Math.exp(w[j] - max);
        }
        double norm = max + Math.log(sum);
        for (int j = 1; j <= NODES; j++) {
            w[j] -= norm;
        }
        return w;
    }
}
