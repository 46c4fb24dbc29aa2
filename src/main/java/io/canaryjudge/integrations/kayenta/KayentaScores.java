package io.canaryjudge.integrations.kayenta;

import io.canaryjudge.integrations.Standing;

/**
 * The score a Kayenta client is told, so that its own classification with its thresholds (Argo: score ≥ pass
 * Successful, ≥ marginal Inconclusive, else Failed, on the integer part) always agrees with canary-judge's verdict.
 * Kayenta itself forces the score to 0 when a critical metric fails; here the raw score is kept where it already
 * lies in the verdict's band and moved to the band's nearest edge otherwise. When pass equals marginal there is no
 * inconclusive band and an INCONCLUSIVE verdict is reported as failing: it must not promote.
 */
final class KayentaScores {
    private KayentaScores() {
    }

    static double reported(Standing verdict, Double raw, double pass, double marginal) {
        double r = raw == null || !Double.isFinite(raw) ? Double.NaN : raw;
        return switch (verdict) {
            case PROMOTE -> Double.isNaN(r) ? pass : Math.max(r, pass);
            case INCONCLUSIVE -> {
                double v = Double.isNaN(r) ? marginal : Math.max(r, marginal);
                yield v < pass ? v : below(pass);
            }
            default -> Math.max(0, Double.isNaN(r) ? 0 : r < marginal ? r : below(marginal));
        };
    }

    /** Kayenta's labels of a score under the caller's thresholds. */
    static String classification(double score, double pass, double marginal) {
        return score >= pass ? "Pass" : score >= marginal ? "Marginal" : "Fail";
    }

    /** The largest reported value under a threshold; whole thresholds get a whole value (Argo truncates). */
    private static double below(double threshold) {
        return threshold == Math.rint(threshold) ? threshold - 1 : Math.floor(threshold);
    }
}
