package io.canaryjudge.judge;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Order statistics of the n·m differences {@code x[i] − y[j]} of two sorted samples without
 * materialising them: randomised selection on the implicitly sorted matrix (rows increase with i,
 * decrease with j), after Johnson and Mizoguchi (1978) and Monahan (1984). Each round counts the
 * differences below a pivot with one O(n + m) two-pointer sweep and keeps per-row candidate
 * windows; the expected number of rounds is O(log nm).
 */
final class PairwiseDifferences {

    /** Below this many candidates they are gathered and sorted directly. */
    private static final int GATHER_LIMIT = 4096;

    private PairwiseDifferences() {
    }

    /** The k-th smallest (0-based) of {@code x[i] − y[j]} for sorted x and y. */
    static double kth(double[] x, double[] y, long k) {
        final int n = x.length;
        final int m = y.length;
        if (k < 0 || k >= (long) n * m) {
            throw new IllegalArgumentException("k out of range");
        }
        // Row i's candidates are y indices [lo[i], hi[i]); a y index further right gives a smaller difference.
        final int[] lo = new int[n];
        final int[] hi = new int[n];
        Arrays.fill(hi, m);
        final int[] less = new int[n];
        final int[] notGreater = new int[n];
        SplittableRandom random = new SplittableRandom(0x5eed_c0deL ^ k);
        long rank = k; // rank of the answer among the candidates, in ascending order
        for (;;) {
            long candidates = candidates(lo, hi);
            if (candidates <= GATHER_LIMIT) {
                return gathered(x, y, lo, hi, (int) candidates)[(int) rank];
            }
            final double pivot = pick(x, y, lo, hi, random.nextLong(candidates));
            // In row i, differences below the pivot are the y indices j >= t (suffix).
            long countLess = 0;
            long countNotGreater = 0;
            int t = 0;
            int s = 0;
            for (int i = 0; i < n; i++) {
                while (t < m && x[i] - y[t] >= pivot) {
                    t++;
                }
                while (s < m && x[i] - y[s] > pivot) {
                    s++;
                }
                // candidates of row i below the pivot: indices in [max(lo, t), hi)
                less[i] = Math.max(hi[i] - Math.max(lo[i], t), 0);
                notGreater[i] = Math.max(hi[i] - Math.max(lo[i], s), 0);
                countLess += less[i];
                countNotGreater += notGreater[i];
            }
            if (rank < countLess) {
                for (int i = 0; i < n; i++) {
                    lo[i] = hi[i] - less[i];
                }
            } else if (rank < countNotGreater) {
                return pivot;
            } else {
                for (int i = 0; i < n; i++) {
                    hi[i] = hi[i] - notGreater[i];
                }
                rank -= countNotGreater;
            }
        }
    }

    private static long candidates(int[] lo, int[] hi) {
        long candidates = 0;
        for (int i = 0; i < lo.length; i++) {
            candidates += hi[i] - lo[i];
        }
        return candidates;
    }

    /** The remaining candidates, sorted. */
    private static double[] gathered(double[] x, double[] y, int[] lo, int[] hi, int candidates) {
        double[] pool = new double[candidates];
        int p = 0;
        for (int i = 0; i < lo.length; i++) {
            for (int j = lo[i]; j < hi[i]; j++) {
                pool[p++] = x[i] - y[j];
            }
        }
        Arrays.sort(pool);
        return pool;
    }

    private static double pick(double[] x, double[] y, int[] lo, int[] hi, long index) {
        for (int i = 0; i < x.length; i++) {
            int width = hi[i] - lo[i];
            if (index < width) {
                return x[i] - y[lo[i] + (int) index];
            }
            index -= width;
        }
        throw new IllegalStateException("pivot index beyond candidates");
    }

    /** All n·m differences, sorted: for small samples (R's {@code sort(outer(x, y, "-"))}). */
    static double[] all(double[] x, double[] y) {
        double[] d = new double[x.length * y.length];
        int p = 0;
        for (double xi : x) {
            for (double yj : y) {
                d[p++] = xi - yj;
            }
        }
        Arrays.sort(d);
        return d;
    }
}
