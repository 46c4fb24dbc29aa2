package io.canaryjudge.judge;

/**
 * The null moments of the Mann-Whitney U with ties, shared by the fixed-horizon test, the Hodges-Lehmann interval
 * and the sequential rank mixture: E[U] = n·m/2 and the tie-corrected variance below.
 */
public final class RankSumMoments {

    private RankSumMoments() {
    }

    /** A tie group of size t contributes t³ − t to Σ(t³ − t). */
    public static double tieTerm(double t) {
        return t * t * t - t;
    }

    /** {@link #tieTerm(double)} in exact integers, for raw samples (t below 2 million). */
    public static long tieTerm(long t) {
        return t * t * t - t;
    }

    /** Var(U) = n·m/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1))), N = n + m; 0 when N &lt; 2. */
    public static double variance(double n, double m, double tieTerm) {
        double total = n + m;
        return total < 2 ? 0 : n * m / 12 * ((total + 1) - tieTerm / (total * (total - 1)));
    }
}
