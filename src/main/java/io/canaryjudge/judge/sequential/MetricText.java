package io.canaryjudge.judge.sequential;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** The one-sentence explanation of a metric's sequential test: ln M, anytime p, estimate, interval. */
final class MetricText {

    private static final MathContext FOUR = new MathContext(4, RoundingMode.HALF_UP);

    private MetricText() {
    }

    static String sentence(SequentialMetric m, MetricStatus status) {
        // Plain concatenation, not String.format: one sentence per test per measurement, thousands per second.
        SequentialState s = m.state();
        StringBuilder b = new StringBuilder(200).append(m.name()).append(" (").append(s.test());
        if (s.asymptotic()) {
            b.append(", guarantee asymptotic only");
        }
        b.append(", ").append(m.direction().name().toLowerCase(Locale.ROOT)).append(" is bad): ln M = ")
            .append(num(s.logM())).append(s.logM() >= s.threshold() ? " ≥ " : " < ").append("ln(1/α) = ")
            .append(num(s.threshold())).append(" after ").append(s.looks())
            .append(s.looks() == 1 ? " interval" : " intervals").append(", anytime p = ").append(num(s.pValue()))
            .append("; ");
        estimate(b, s);
        b.append(": ").append(switch (status) {
            case REGRESSION -> "regression";
            case WITHIN_TOLERANCE -> "within the rate-ratio tolerance " + num(m.rTol());
            case NO_EVIDENCE -> "no evidence yet";
        });
        return b.append('.').toString();
    }

    private static void estimate(StringBuilder b, SequentialState s) {
        if (s instanceof CountRatioEProcess c) {
            RateRatio r = c.confidenceSequence();
            b.append("rate ratio ").append(num(r.estimate())).append(", ").append(num(100 * r.confidenceLevel()))
                .append(" % CS [").append(num(r.lower())).append(", ").append(num(r.upper())).append("] (")
                .append(c.canaryErrors()).append(" canary vs ").append(c.stableErrors()).append(" stable errors)");
        } else if (s instanceof BetaBinomialLM bb) {
            b.append(bb.canaryErrors()).append(" canary vs ").append(bb.stableErrors()).append(" stable errors at split ")
                .append(num(bb.q()));
        } else if (s instanceof BatchRankEProcess r) {
            b.append("P(canary > stable) ").append(num(r.auc())).append(" pooled, ").append(num(r.lastAuc()))
                .append(" last interval");
        } else if (s instanceof QuantileABTest q) {
            b.append("canary quantile ").append(num(q.canaryQuantile())).append(" vs stable ")
                .append(num(q.stableQuantile())).append(" (n = ").append(q.canary().length).append('/')
                .append(q.stable().length).append(')');
        } else if (s instanceof HistogramQuantileTest h) {
            b.append("canary quantile ").append(num(h.canaryQuantile())).append(" vs stable ")
                .append(num(h.stableQuantile())).append(" from histogram buckets (n = ").append(h.canaryCount())
                .append('/').append(h.stableCount()).append(')');
        } else {
            b.append("mean standardised shift ").append(num(((RankZMixture) s).meanZ())).append(" per interval");
        }
    }

    /**
     * {@code String.format(Locale.ROOT, "%.4g", v)}, without the format parser: Formatter rounds the shortest decimal
     * representation ({@link Double#toString}) half-up to 4 significant digits, prints it plainly when
     * 1e-4 ≤ |rounded| &lt; 1e4 and as d.ddde±xx otherwise; this does the same with BigDecimal.
     */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        if (v == 0) {
            return (1 / v < 0 ? "-" : "") + "0.000";
        }
        BigDecimal r = new BigDecimal(Double.toString(v)).round(FOUR);
        int exponent = r.precision() - r.scale() - 1; // of the leading digit
        if (exponent >= -4 && exponent < 4) {
            return r.setScale(3 - exponent, RoundingMode.UNNECESSARY).toPlainString();
        }
        String digits = r.unscaledValue().abs().toString();
        digits = (digits + "000").substring(0, 4);
        StringBuilder b = new StringBuilder(12);
        if (r.signum() < 0) {
            b.append('-');
        }
        b.append(digits.charAt(0)).append('.').append(digits, 1, 4).append('e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        return (e < 10 ? b.append('0') : b).append(e).toString();
    }
}
