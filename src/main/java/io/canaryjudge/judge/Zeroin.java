package io.canaryjudge.judge;

import java.util.function.DoubleUnaryOperator;

/**
 * Brent's root finder exactly as R's {@code uniroot} runs it ({@code R_zeroin2} in R's
 * {@code src/library/stats/src/zeroin.c}, after Brent 1973), so that the asymptotic interval ends
 * land where R's do even though the function is a step function with flat stretches.
 */
final class Zeroin {

    private static final double EPSILON = Math.ulp(1.0);
    private static final int MAX_ITERATIONS = 1000;

    private Zeroin() {
    }

    /** A root of f in [ax, bx], given f(ax) = fa and f(bx) = fb of opposite signs (or zero). */
    static double root(double ax, double bx, double fa, double fb, DoubleUnaryOperator f, double tol) {
        double a = ax;
        double b = bx;
        double c = a;
        double fc = fa;
        if (fa == 0) {
            return a;
        }
        if (fb == 0) {
            return b;
        }
        for (int iteration = 0; iteration <= MAX_ITERATIONS; iteration++) {
            final double prevStep = b - a;
            if (Math.abs(fc) < Math.abs(fb)) {
                a = b;
                b = c;
                c = a;
                fa = fb;
                fb = fc;
                fc = fa;
            }
            final double tolAct = 2 * EPSILON * Math.abs(b) + tol / 2;
            double newStep = (c - b) / 2;
            if (Math.abs(newStep) <= tolAct || fb == 0) {
                return b;
            }
            if (Math.abs(prevStep) >= tolAct && Math.abs(fa) > Math.abs(fb)) {
                newStep = interpolated(a, b, c, fa, fb, fc, prevStep, tolAct, newStep);
            }
            if (Math.abs(newStep) < tolAct) {
                newStep = newStep > 0 ? tolAct : -tolAct;
            }
            a = b;
            fa = fb;
            b += newStep;
            fb = f.applyAsDouble(b);
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
                c = a;
                fc = fa;
            }
        }
        return b; // R warns "_NOT_ converged" and returns the last iterate
    }

    /**
     * R's interpolation step: linear (secant) when only two points are distinct, else inverse quadratic; taken
     * only when it falls well inside [b, c] and shrinks faster than the previous step, otherwise the bisection
     * step stands.
     */
    private static double interpolated(double a, double b, double c, double fa, double fb, double fc,
                                       double prevStep, double tolAct, double bisection) {
        double p;
        double q;
        final double cb = c - b;
        if (a == c) {
            final double t1 = fb / fa;
            p = cb * t1;
            q = 1.0 - t1;
        } else {
            final double qq = fa / fc;
            final double t1 = fb / fc;
            final double t2 = fb / fa;
            p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
            q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
        }
        if (p > 0) {
            q = -q;
        } else {
            p = -p;
        }
        if (p < (0.75 * cb * q - Math.abs(tolAct * q) / 2) && p < Math.abs(prevStep * q / 2)) {
            return p / q;
        }
        return bisection;
    }
}
