package io.canaryjudge.backtest;

import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.util.Locale;

/** The sentence that sets an A/A false-abort estimate against what the template promises. */
final class Comparison {
    private Comparison() {
    }

    /** Critical sequential tests: one per counts metric, 1 + quantiles per continuous metric (ADR 0004). */
    static int criticalTests(AnalysisTemplate t) {
        int n = 0;
        for (MetricTemplate m : t.metrics()) {
            // one abort test per critical counts or continuous metric: quantile tests only inform, thresholds spend no α
            if (m.isCritical() && !m.isDryRun() && m.kind() != MetricTemplate.MetricKindName.THRESHOLD) {
                n++;
                n += t.tailTested(m) ? 1 : 0;
            }
        }
        return n;
    }

    /** The analysis-level bound on the false-abort rate: α with splitAlpha, else α per critical test (union bound). */
    static double bound(AnalysisTemplate t) {
        double alpha = t.sequential().alpha();
        return t.sequential().splitAlpha() ? alpha : Math.min(1, alpha * Math.max(1, criticalTests(t)));
    }

    /** Four significant digits without trailing zeros: 0.05, 0.2, 0.0125. */
    static String number(double d) {
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", d)).stripTrailingZeros().toPlainString();
    }

    static String sentence(AnalysisTemplate t, Backtests.Rate r) {
        String observed = String.format(Locale.ROOT, "%d ABORT in %d stable-vs-stable windows: estimated false-abort "
                + "rate %.4f, %.0f %% Clopper-Pearson interval [%.4f, %.4f].", r.aborts(), r.windows(), r.estimate(),
                100 * r.confidenceLevel(), r.lower(), r.upper());
        if (!t.sequentialMode()) {
            return observed + " Fixed mode guarantees no false-abort level (every look re-tests the growing window), "
                    + "so this estimate is the template's calibration on this traffic.";
        }
        double alpha = t.sequential().alpha();
        double bound = bound(t);
        String promise = t.sequential().splitAlpha()
                ? "the template's alpha " + number(alpha) + " is split over its tests, so an analysis aborts a "
                        + "healthy canary with probability at most " + number(bound)
                : "the template's alpha is " + number(alpha) + " per test; with " + criticalTests(t) + " critical "
                        + "test(s) an analysis aborts a healthy canary with probability at most " + number(bound);
        String verdict;
        if (r.lower() > bound) {
            verdict = "The whole interval is above that bound: on this traffic the stable data differ from "
                    + "themselves more than the tests assume (drift, time-of-day, too few samples); expect more false "
                    + "aborts than alpha promises.";
        } else if (r.upper() < alpha) {
            verdict = "The whole interval is below alpha: consistent with the promise.";
        } else {
            verdict = "The interval contains values at or below that bound: consistent with the promise"
                    + (r.windows() < 60 ? " (more windows would narrow the interval)." : ".");
        }
        return observed + " In sequential mode " + promise + ". " + verdict;
    }
}
