package io.canaryjudge.judge;

/**
 * Exact null distribution of the Mann-Whitney U for sample sizes m and n, with R's
 * {@code pwilcox}/{@code qwilcox} conventions (including qwilcox's 10·ε fuzz).
 *
 * <p>Counts follow the recurrence c(k; i, j) = c(k − j; i − 1, j) + c(k; i, j − 1) (Mann and Whitney
 * 1947), additions only, so they stay accurate in doubles; the cost is O(m²n²/4), hence the cap. The counts
 * are symmetric in m and n, so the recurrence runs with the smaller size as its inner dimension: the tables then
 * hold about max·min²/2 doubles — 20,000 for 1 × 40,000, where the other order needed 8·10^8 (6 GB).
 */
final class WilcoxonDistribution {

    /** Largest m·n tabulated; beyond this the normal approximation is indistinguishable anyway. */
    static final int MAX_PRODUCT = 40_000;

    private final int m;
    private final int n;
    private final double[] probability;

    WilcoxonDistribution(int m, int n) {
        if ((long) m * n > MAX_PRODUCT) {
            throw new IllegalArgumentException("exact distribution needs n*m <= " + MAX_PRODUCT);
        }
        this.m = m;
        this.n = n;
        double[] counts = counts(Math.max(m, n), Math.min(m, n));
        double total = 0;
        for (double c : counts) {
            total += c;
        }
        probability = new double[counts.length];
        for (int k = 0; k < counts.length; k++) {
            probability[k] = counts[k] / total;
        }
    }

    private static double[] counts(int m, int n) {
        // layer[j] holds c(.; i, j) for the current i; c(.; 0, j) = c(.; i, 0) = [k == 0]
        double[][] layer = new double[n + 1][];
        for (int j = 0; j <= n; j++) {
            layer[j] = new double[] {1};
        }
        for (int i = 1; i <= m; i++) {
            double[][] next = new double[n + 1][];
            next[0] = new double[] {1};
            for (int j = 1; j <= n; j++) {
                double[] c = new double[i * j + 1];
                double[] fromPrevI = layer[j];      // c(k - j; i - 1, j)
                for (int k = 0; k < fromPrevI.length; k++) {
                    c[k + j] += fromPrevI[k];
                }
                double[] fromPrevJ = next[j - 1];   // c(k; i, j - 1)
                for (int k = 0; k < fromPrevJ.length; k++) {
                    c[k] += fromPrevJ[k];
                }
                next[j] = c;
            }
            layer = next;
        }
        return layer[n];
    }

    /** P(U ≤ q), R's {@code pwilcox(q, m, n)}. */
    double cdf(double q) {
        double k = Math.floor(q + 1e-7);
        if (k < 0) {
            return 0;
        }
        if (k >= (double) m * n) {
            return 1;
        }
        double p = 0;
        if (k <= m * (double) n / 2) {
            for (int i = 0; i <= (int) k; i++) {
                p += probability[i];
            }
            return p;
        }
        int upper = (int) ((double) m * n - k);
        for (int i = 0; i < upper; i++) {
            p += probability[i];
        }
        return 1 - p;
    }

    /** P(U ≥ q), R's {@code pwilcox(q - 1, m, n, lower.tail = FALSE)}, summed on the short side. */
    double survival(double q) {
        return cdf((double) m * n - q); // symmetry: P(U >= q) = P(U <= mn - q)
    }

    /** Smallest q with P(U ≤ q) ≥ x, R's {@code qwilcox(x, m, n)}. */
    int quantile(double x) {
        double p = 0;
        int q = 0;
        if (x <= 0.5) {
            x = x - 10 * Math.ulp(1.0);
            for (;;) {
                p += probability[q];
                if (p >= x) {
                    return q;
                }
                q++;
            }
        }
        x = 1 - x + 10 * Math.ulp(1.0);
        for (;;) {
            p += probability[q];
            if (p > x) {
                return m * n - q;
            }
            q++;
        }
    }
}
