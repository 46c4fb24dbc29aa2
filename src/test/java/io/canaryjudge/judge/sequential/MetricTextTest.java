package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricTextTest {

    private static String reference(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    @Test
    void numberFormattingEqualsFormatterG4EverywhereItIsUsed() {
        SplittableRandom random = new SplittableRandom(8);
        int checked = 0;
        for (int i = 0; i < 400_000; i++) {
            // magnitudes from 1e-12 to 1e12, both signs, plus values with few digits (ties of the half-up rounding)
            double v = Math.pow(10, random.nextDouble(-12, 12)) * (random.nextBoolean() ? 1 : -1);
            if (i % 4 == 0) {
                v = Math.round(v * 1e5) / 1e5;
            }
            if (i % 8 == 1) {
                v = random.nextInt(-200_000, 200_000) / 2.0;
            }
            double x = v;
            assertEquals(reference(x), MetricText.num(x), () -> "value " + x);
            checked++;
        }
        for (double v : new double[] {0.0, -0.0, 1, -1, 0.5, 2.996, 2.995732273553991, 9999.5, 9999.4, 99995, 0.0001,
            0.00009999, 0.000099995, 1e-4, 1e4, 12345.0, 0.00012345, 1.0005, 1.00049, 123.45, 123.55, 1e300, 4.9e-324,
            Double.MAX_VALUE, Double.MIN_NORMAL}) {
            assertEquals(reference(v), MetricText.num(v), () -> "value " + v);
            checked++;
        }
        assertEquals(400_025, checked);
        assertEquals("n/a", MetricText.num(Double.NaN));
        assertEquals("∞", MetricText.num(Double.POSITIVE_INFINITY));
        assertEquals("-∞", MetricText.num(Double.NEGATIVE_INFINITY));
    }
}
