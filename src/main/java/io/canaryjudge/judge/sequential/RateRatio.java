package io.canaryjudge.judge.sequential;

/**
 * The canary/stable rate ratio: maximum-likelihood estimate and the anytime-valid confidence
 * sequence at {@code confidenceLevel}. Ends may be 0 or +∞ (no canary or no stable errors yet); the
 * estimate is NaN before any informative interval.
 */
public record RateRatio(double estimate, double lower, double upper, double confidenceLevel) {

    public RateRatio {
        if (!(lower <= upper)) {
            throw new IllegalArgumentException("lower > upper");
        }
        if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel not in (0, 1)");
        }
    }
}
