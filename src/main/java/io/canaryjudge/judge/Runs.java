package io.canaryjudge.judge;

import java.util.Arrays;

/** A sorted sample compressed into distinct values with multiplicities, and its Σ(t³ − t) tie term. */
record Runs(double[] values, int[] counts, int size, long tieTerm) {

    static Runs of(double[] sample) {
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted);
    }

    static Runs ofSorted(double[] sorted) {
        double[] values = new double[sorted.length];
        int[] counts = new int[sorted.length];
        int k = -1;
        long ties = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (k >= 0 && sorted[i] == values[k]) {
                counts[k]++;
            } else {
                if (k >= 0) {
                    ties += RankSumMoments.tieTerm((long) counts[k]);
                }
                values[++k] = sorted[i];
                counts[k] = 1;
            }
        }
        if (k >= 0) {
            ties += RankSumMoments.tieTerm((long) counts[k]);
        }
        return new Runs(Arrays.copyOf(values, k + 1), Arrays.copyOf(counts, k + 1), sorted.length, ties);
    }

    int distinct() {
        return values.length;
    }

    double min() {
        return values[0];
    }

    double max() {
        return values[values.length - 1];
    }

    /** Expands back to the sorted sample. */
    double[] sorted() {
        double[] out = new double[size];
        int i = 0;
        for (int k = 0; k < values.length; k++) {
            Arrays.fill(out, i, i + counts[k], values[k]);
            i += counts[k];
        }
        return out;
    }
}
