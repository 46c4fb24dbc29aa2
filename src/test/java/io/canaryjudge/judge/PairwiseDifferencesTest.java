package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairwiseDifferencesTest {

    @Test
    void selectionAgreesWithFullEnumerationWithAndWithoutTies() {
        SplittableRandom random = new SplittableRandom(7);
        for (boolean ties : new boolean[] {false, true}) {
            double[] x = sample(random, 300, ties);
            double[] y = sample(random, 170, ties);
            double[] all = PairwiseDifferences.all(x, y);
            for (long k : new long[] {0, 1, 17, all.length / 3, all.length / 2, all.length - 2, all.length - 1}) {
                assertEquals(all[(int) k], PairwiseDifferences.kth(x, y, k), 0.0, "k=" + k + " ties=" + ties);
            }
        }
    }

    @Test
    void selectionHandlesAllEqualDifferences() {
        double[] x = new double[100];
        double[] y = new double[100];
        Arrays.fill(x, 3);
        Arrays.fill(y, 1);
        assertEquals(2, PairwiseDifferences.kth(x, y, 5_000), 0.0);
    }

    private static double[] sample(SplittableRandom random, int n, boolean ties) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ties ? random.nextInt(20) : random.nextGaussian();
        }
        Arrays.sort(v);
        return v;
    }
}
