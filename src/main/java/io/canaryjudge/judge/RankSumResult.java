package io.canaryjudge.judge;

/**
 * Outcome of a Mann-Whitney U test of canary against stable: {@code u} counts the pairs with
 * canary > stable (ties ½) — R's {@code W} for {@code wilcox.test(canary, stable)}.
 */
public record RankSumResult(double u, double pValue, TestMethod method, Shift shift) {

    public RankSumResult {
        if (method == null || method == TestMethod.AUTO) {
            throw new IllegalArgumentException("method must be EXACT or ASYMPTOTIC");
        }
        if (shift == null) {
            throw new IllegalArgumentException("shift == null");
        }
    }
}
