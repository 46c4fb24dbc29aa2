package io.canaryjudge.judge;

/**
 * The rank sum of {@code x − d} in the pooled sample {@code (x − d) ∪ y}, and the tie term of that
 * pool, without re-sorting: for each distinct x value the position of {@code x − d} among the sorted
 * y values. The first shift is placed by one merge, O(n + m); later shifts walk each position from
 * where the previous shift left it, which near a root costs O(n) with predictable branches, and
 * fall back to the merge when the walk would cost more.
 *
 * <p>Ties are those R's {@code rank()} sees in {@code c(x - d, y)}: equality of the rounded
 * differences {@code x[i] - d} (computed exactly as R does) with each other and with {@code y[j]}.
 * Not thread-safe: one instance per computation.
 */
final class PooledRanks {

    /** 2U (an integer, so exact) and Σ(t³ − t) over the tie groups of the pool. */
    record At(long twiceU, long tieTerm) {
    }

    private final Runs x;
    private final Runs y;
    private final long[] yBelow; // yBelow[p] = number of y values in runs [0, p)
    private final int[] position; // per x run: first y run not below x − d at the last shift
    private final double walkLimit; // |Δd| above which walking is expected to cost more than a merge
    private boolean placed;
    private double lastShift;

    PooledRanks(Runs x, Runs y) {
        this.x = x;
        this.y = y;
        int[] yc = y.counts();
        yBelow = new long[yc.length + 1];
        for (int p = 0; p < yc.length; p++) {
            yBelow[p + 1] = yBelow[p] + yc[p];
        }
        position = new int[x.distinct()];
        // Expected walk ≈ n · m · |Δd| · density of y, the density taken as ½ / IQR(y).
        double iqr = valueAtRank(3 * (y.size() - 1) / 4) - valueAtRank((y.size() - 1) / 4);
        double steps = 0.25 * ((double) x.size() + y.size());
        walkLimit = iqr > 0 ? steps * 2 * iqr / ((double) x.size() * y.size()) : 0;
    }

    private double valueAtRank(long rank) {
        int p = 0;
        while (yBelow[p + 1] <= rank) {
            p++;
        }
        return y.values()[p];
    }

    At at(double d) {
        At walked = placed && Math.abs(d - lastShift) <= walkLimit ? walk(d, true) : null;
        if (walked == null) {
            walked = walk(d, false);
            placed = true;
        }
        lastShift = d;
        return walked;
    }

    /** fromLast: start each position where the last shift left it; null if that exceeds the merge's cost. */
    private At walk(double d, boolean fromLast) {
        final double[] xv = x.values();
        final int[] xc = x.counts();
        final double[] yv = y.values();
        final int[] yc = y.counts();
        final int xn = xv.length;
        final int yn = yv.length;
        long budget = fromLast ? (long) xn + yn : Long.MAX_VALUE;
        long twiceU = 0;
        long ties = y.tieTerm();
        double groupValue = Double.NaN;
        long a = 0; // x values in the current tie group
        long b = 0; // y values tied with it
        int p = 0;
        for (int k = 0; k < xn; k++) {
            final double v = xv[k] - d;
            if (fromLast) {
                p = position[k];
                while (p > 0 && yv[p - 1] >= v) {
                    p--;
                    budget--;
                }
            }
            while (p < yn && yv[p] < v) {
                p++;
                budget--;
            }
            if (budget < 0) {
                return null;
            }
            position[k] = p;
            final long c = xc[k];
            final long tied = p < yn && yv[p] == v ? yc[p] : 0;
            twiceU += 2 * c * yBelow[p] + c * tied;
            // Rounding of x[i] - d can merge distinct x values; R would tie them, so do we.
            if (v == groupValue) {
                a += c;
            } else {
                ties += groupTerm(a, b);
                groupValue = v;
                a = c;
                b = tied;
            }
        }
        ties += groupTerm(a, b);
        return new At(twiceU, ties);
    }

    /** The group's Σ(t³ − t), replacing the term its y run already has in y's tie term. */
    private static long groupTerm(long a, long b) {
        if (a == 0) {
            return 0;
        }
        return b > 0 ? RankSumMoments.tieTerm(a + b) - RankSumMoments.tieTerm(b) : RankSumMoments.tieTerm(a);
    }
}
