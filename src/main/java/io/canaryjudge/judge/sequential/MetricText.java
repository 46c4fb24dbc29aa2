package io.canaryjudge.judge.sequential;

import java.util.Locale;

/** The one-sentence explanation of a metric's sequential test: ln M, anytime p, estimate, interval. */
final class MetricText {

    private MetricText() {
    }

    static String sentence(SequentialMetric m, MetricStatus status) {
        SequentialState s = m.state();
        String head = String.format(Locale.ROOT, "%s (%s%s, %s): ln M = %s %s ln(1/α) = %s after %d %s, anytime p = %s",
            m.name(), s.test(), s.asymptotic() ? ", guarantee asymptotic only" : "", m.direction().name().toLowerCase(
                Locale.ROOT) + " is bad", num(s.logM()), s.logM() >= s.threshold() ? "≥" : "<", num(s.threshold()),
            s.looks(), s.looks() == 1 ? "interval" : "intervals", num(s.pValue()));
        String estimate = estimate(s);
        String verdict = switch (status) {
            case REGRESSION -> "regression";
            case WITHIN_TOLERANCE -> "within the rate-ratio tolerance " + num(m.rTol());
            case NO_EVIDENCE -> "no evidence yet";
        };
        return head + "; " + estimate + ": " + verdict + ".";
    }

    private static String estimate(SequentialState s) {
        if (s instanceof CountRatioEProcess c) {
            RateRatio r = c.confidenceSequence();
            return String.format(Locale.ROOT, "rate ratio %s, %s %% CS [%s, %s] (%d canary vs %d stable errors)",
                num(r.estimate()), num(100 * r.confidenceLevel()), num(r.lower()), num(r.upper()), c.canaryErrors(),
                c.stableErrors());
        }
        if (s instanceof BetaBinomialLM b) {
            return String.format(Locale.ROOT, "%d canary vs %d stable errors at split %s", b.canaryErrors(),
                b.stableErrors(), num(b.q()));
        }
        if (s instanceof BatchRankEProcess r) {
            return String.format(Locale.ROOT, "P(canary > stable) %s pooled, %s last interval", num(r.auc()),
                num(r.lastAuc()));
        }
        if (s instanceof QuantileABTest q) {
            return String.format(Locale.ROOT, "canary quantile %s vs stable %s (n = %d/%d)", num(q.canaryQuantile()),
                num(q.stableQuantile()), q.canary().length, q.stable().length);
        }
        if (s instanceof HistogramQuantileTest h) {
            return String.format(Locale.ROOT, "canary quantile %s vs stable %s from histogram buckets (n = %d/%d)",
                num(h.canaryQuantile()), num(h.stableQuantile()), h.canaryCount(), h.stableCount());
        }
        RankZMixture z = (RankZMixture) s;
        return String.format(Locale.ROOT, "mean standardised shift %s per interval", num(z.meanZ()));
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "-∞";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
