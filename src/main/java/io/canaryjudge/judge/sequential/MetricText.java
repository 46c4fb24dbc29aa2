package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The sentence of a metric's sequential tests. It says first, in the metric's units, what changed and how sure we
 * are ("error-rate 2.1× stable's (95 % bounds 1.4–3.2×) after 4 min: worse than the ×1.2 tolerance"), then the
 * statistics (test, ln M against ln(1/α), anytime p).
 */
final class MetricText {

    private static final MathContext FOUR = new MathContext(4, RoundingMode.HALF_UP);
    private static final MathContext THREE = new MathContext(3, RoundingMode.HALF_UP);

    private MetricText() {
    }

    static String sentence(SequentialMetric m, MetricStatus status, String elapsed) {
        // Plain concatenation, not String.format: one sentence per test per measurement, thousands per second.
        SequentialState s = m.state();
        StringBuilder b = new StringBuilder(240).append(m.name());
        boolean decrease = m.direction() == Direction.DECREASE;
        if (!m.critical() && (m.margins() == null && !(s instanceof CountRatioEProcess)
                && !(s instanceof BatchRankEProcess) || s instanceof PairedSignEProcess)) {
            b.append(" (informative, never decides)");
        }
        b.append(' ');
        effect(b, m, s);
        if (elapsed != null && !elapsed.isEmpty()) {
            b.append(" after ").append(elapsed);
        }
        b.append(": ");
        Margins g = m.margins();
        if (s instanceof TailEProcess t) {
            String tol = factor(g.tolerance());
            b.append(status == MetricStatus.REGRESSION ? "worse than the " + tol + " tolerance"
                : "not shown worse than the " + tol + " tolerance (the tail test only aborts)");
        } else if (g != null && !m.needsPower() && status != MetricStatus.REGRESSION) {
            // an informative metric runs only the abort test: nothing to rule out
            b.append("not shown worse than the ").append(margin(g.tolerance(), decrease, s)).append(" tolerance");
        } else if (g == null) {
            b.append(switch (status) {
                case REGRESSION -> "a regression";
                case WITHIN_TOLERANCE, RULED_OUT -> "no regression";
                case NO_EVIDENCE -> "no evidence of a regression yet";
            });
        } else {
            String tol = margin(g.tolerance(), decrease, s);
            String det = margin(g.detectable(), decrease, s);
            b.append(switch (status) {
                case REGRESSION -> "worse than the " + tol + " tolerance";
                case WITHIN_TOLERANCE -> "within the " + tol + " tolerance";
                case RULED_OUT -> "rules out " + det + " (the regression it must detect), not yet shown within "
                    + tol;
                case NO_EVIDENCE -> "cannot yet rule out " + det + ", nor show it worse than " + tol;
            });
        }
        b.append(" (").append(s.test());
        if (s instanceof BatchRankEProcess r && r.scale() != 1) {
            b.append(" at canary ÷ ").append(plain(r.scale()));
        }
        if (s.asymptotic()) {
            b.append(", guarantee asymptotic only");
        }
        b.append(": ln M ").append(num(s.logM())).append(s.logM() >= s.threshold() ? " ≥ " : " < ")
            .append(num(s.threshold())).append(", anytime p ").append(num(s.pValue())).append(" after ")
            .append(s.looks()).append(s.looks() == 1 ? " interval" : " intervals");
        if (g != null && m.needsPower()) {
            b.append("; rule-out ln M ").append(num(m.ruleOutLogM())).append(", within ln M ")
                .append(num(m.withinLogM()));
        }
        return b.append(").").toString();
    }

    private static void effect(StringBuilder b, SequentialMetric m, SequentialState s) {
        if (s instanceof TailEProcess t) {
            CountRatioEProcess c = t.counts();
            if (Double.isNaN(t.lastThreshold()) && c.looks() == 0) {
                b.append("has no threshold yet (set from the first interval's p").append(plain(100 * t.quantile()))
                    .append(')');
                return;
            }
            b.append("share above ").append(num(Double.isNaN(t.lastThreshold()) ? t.nextThreshold()
                    : t.lastThreshold())).append(" (the p").append(plain(100 * t.quantile()))
                .append(" of the interval before): canary ").append(share(c.canaryErrors(), c.canaryExposure()))
                .append(" vs stable ").append(share(c.stableErrors(), c.stableExposure())).append(", ")
                .append(Double.isNaN(c.estimate()) ? "n/a" : factor(c.estimate()));
            if (c.lower() > 0 || Double.isFinite(c.upper())) {
                b.append(" (").append(plain(100 * (1 - c.alpha()))).append(" % bounds ").append(plain(c.lower()))
                    .append('–').append(factor(c.upper())).append(')');
            }
            return;
        }
        if (s instanceof CountRatioEProcess c) {
            double est = c.estimate();
            b.append(Double.isNaN(est) ? "has no errors in either cohort yet" : factor(est) + " stable's rate");
            b.append(" (").append(c.lower() > 0 || Double.isFinite(c.upper())
                ? plain(100 * (1 - c.alpha())) + " % bounds " + plain(c.lower()) + "–" + factor(c.upper())
                : "no bound yet").append("; ").append(count(c.canaryErrors())).append(" canary errors");
            if (c.canaryExposure() > 0) {
                b.append(" in ").append(count(c.canaryExposure()));
            }
            b.append(" vs ").append(count(c.stableErrors()));
            if (c.stableExposure() > 0) {
                b.append(" in ").append(count(c.stableExposure()));
            }
            b.append(')');
        } else if (s instanceof BetaBinomialLM bb) {
            b.append(bb.canaryErrors()).append(" canary vs ").append(bb.stableErrors()).append(" stable errors at split ")
                .append(num(bb.q()));
        } else if (s instanceof BatchRankEProcess r) {
            b.append(Double.isNaN(m.shift()) ? "level vs stable n/a" : percent(m.shift()) + " vs stable")
                .append(" (per-interval medians; P(canary > stable) ").append(num(r.lastAuc()))
                .append(" last interval)");
        } else if (s instanceof PairedSignEProcess p) {
            b.append(Double.isNaN(m.shift()) ? "level vs stable n/a" : percent(m.shift()) + " vs stable")
                .append(" (per-interval medians; canary ÷ ").append(plain(p.scale())).append(" worse than stable at ")
                .append(p.worse()).append(" of ").append(p.pairs()).append(" paired points)");
        } else if (s instanceof QuantileEProcess q) {
            b.append("canary ").append(num(q.canaryQuantile())).append(" vs stable ").append(num(q.stableQuantile()))
                .append(" (n = ").append(q.canary().length).append('/').append(q.stable().length).append(')');
        } else if (s instanceof HistogramQuantileEProcess h) {
            b.append("canary ").append(num(h.canaryQuantile())).append(" vs stable ").append(num(h.stableQuantile()))
                .append(" from histogram buckets (n = ").append(h.canaryCount()).append('/').append(h.stableCount())
                .append(')');
        } else {
            b.append("mean standardised shift ").append(num(((RankZMixture) s).meanZ())).append(" per interval");
        }
    }

    private static String share(long above, double total) {
        return total > 0 ? plain(100.0 * above / total) + " %" : "n/a";
    }

    /** A margin as a person reads it: ×1.2 for a rate, +5 % for a level; decreases as the canary's share. */
    static String margin(double factor, boolean decrease, SequentialState s) {
        double f = decrease ? 1 / factor : factor;
        return s instanceof CountRatioEProcess ? factor(f) : percent(f);
    }

    /** 2.1×, 0.95×, 148×; ∞ for an open bound. */
    static String factor(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return "∞";
        }
        return plain(v) + "×";
    }

    /** A ratio of levels as a change: 1.31 → "+31 %", 0.9 → "−10 %". */
    static String percent(double ratio) {
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        double p = 100 * (ratio - 1);
        return (p >= 0 ? "+" : "−") + plain(Math.abs(p)) + " %";
    }

    static String plain(double v) {
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(Double.toString(v)).round(THREE).stripTrailingZeros().toPlainString();
    }

    /** 1200 → "1,200"; fractional exposures (pod-seconds) rounded. */
    static String count(double v) {
        String digits = Long.toString(Math.round(v));
        StringBuilder b = new StringBuilder(digits.length() + 4);
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0 && digits.charAt(i - 1) != '-') {
                b.append(',');
            }
            b.append(digits.charAt(i));
        }
        return b.toString();
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
