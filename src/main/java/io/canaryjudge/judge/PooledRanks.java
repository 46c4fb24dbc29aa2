package io.canaryjudge.judge;

/**
 * The rank sum of {@code x − d} in the pooled sample {@code (x − d) ∪ y}, and the tie term of that
 * pool, by one merge of the two sorted samples: O(n + m) per shift, no re-sort.
 *
 * <p>Ties are those R's {@code rank()} sees in {@code c(x - d, y)}: equality of the rounded
 * differences {@code x[i] - d} (computed exactly as R does) with each other and with {@code y[j]}.
 */
final class PooledRanks {

    /** 2U (an integer, so exact) and Σ(t³ − t) over the tie groups of the pool. */
    record At(long twiceU, long tieTerm) {
    }

    private final Runs x;
    private final Runs y;

    PooledRanks(Runs x, Runs y) {
        this.x = x;
        this.y = y;
    }

    At at(double d) {
        final double[] xv = x.values();
        final int[] xc = x.counts();
        final double[] yv = y.values();
        final int[] yc = y.counts();
        final int xn = xv.length;
        final int yn = yv.length;
        long twiceU = 0;
        long ties = y.tieTerm();
        long below = 0; // number of y strictly below the current shifted x value
        int j = 0;
        int k = 0;
        double next = xv[0] - d;
        while (k < xn) {
            final double v = next;
            long a = xc[k++];
            // Rounding of x[i] - d can merge distinct x values; R would tie them, so do we.
            while (k < xn && (next = xv[k] - d) == v) {
                a += xc[k++];
            }
            while (j < yn && yv[j] < v) {
                below += yc[j++];
            }
            if (j < yn && yv[j] == v) {
                long b = yc[j];
                twiceU += 2 * a * below + a * b;
                ties += Runs.cubeMinusSelf(a + b) - Runs.cubeMinusSelf(b);
            } else {
                twiceU += 2 * a * below;
                ties += Runs.cubeMinusSelf(a);
            }
        }
        return new At(twiceU, ties);
    }
}
