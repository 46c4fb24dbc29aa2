package io.canaryjudge.backtest;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.analysis.OfflineAnalysis;
import java.util.Locale;

/** The human-readable (text/plain) form of a backtest result. */
final class Report {
    private Report() {
    }

    static String aa(Backtests.AaResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("A/A backtest of template ").append(r.template()).append(" (").append(r.mode()).append(" mode) on ")
                .append(r.namespace()).append('/').append(r.service()).append('\n');
        if (r.method().equals("offset")) {
            sb.append("  canary side: ").append(r.canaryLabels()).append(" at t; stable side: the same cohort at t - ")
                    .append(r.offset()).append('\n');
        } else {
            sb.append("  canary side: ").append(r.canaryLabels()).append("; stable side: ").append(r.stableLabels());
            sb.append(r.offset().equals("0s") ? "" : " at t - " + r.offset()).append('\n');
        }
        sb.append("  windows: ").append(r.windows()).append(" of ").append(r.windowDuration()).append(", ")
                .append(r.from()).append(" to ").append(r.to()).append('\n');
        sb.append("  verdicts: ");
        r.verdicts().forEach((k, v) -> sb.append(k).append(' ').append(v).append("  "));
        sb.setLength(sb.length() - 2);
        sb.append('\n');
        Backtests.Rate rate = r.falseAbortRate();
        sb.append(String.format(Locale.ROOT, "  false-abort rate: %d/%d = %.4f, %.0f%% CI [%.4f, %.4f] (%s)%n",
                rate.aborts(), rate.windows(), rate.estimate(), 100 * rate.confidenceLevel(), rate.lower(), rate.upper(),
                rate.method()));
        if (r.alpha() != null) {
            sb.append("  template alpha: ").append(Comparison.number(r.alpha())).append('\n');
        }
        sb.append("  ").append(r.comparison()).append("\n\n");
        sb.append("Metrics (windows in which the metric failed / of those ABORT):\n");
        for (Backtests.MetricCount m : r.metrics()) {
            sb.append(String.format(Locale.ROOT, "  %-28s %4d / %-4d%s%n", m.name(), m.failedWindows(), m.abortWindows(),
                    (m.critical() ? " critical" : "") + (m.dryRun() ? " dry-run" : "")));
        }
        sb.append("\nWindows:\n");
        sb.append(String.format(Locale.ROOT, "  %4s  %-20s  %-20s  %-12s  %-7s  %s%n", "#", "start", "end", "verdict",
                "look", "failed metrics"));
        for (Backtests.Window w : r.windowResults()) {
            sb.append(String.format(Locale.ROOT, "  %4d  %-20s  %-20s  %-12s  %-7s  %s%n", w.index(), w.start(), w.end(),
                    w.verdict(), w.decidedAt() + "/" + w.measurements(), String.join(", ", w.failedMetrics())));
            if (w.verdict() != Verdict.PROMOTE) {
                sb.append("        ").append(w.reason()).append('\n');
            }
        }
        sb.append("\n").append(r.prometheusQueries()).append(" Prometheus range queries.\n");
        return sb.toString();
    }

    static String replay(Backtests.ReplayResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Replay of template ").append(r.template()).append(" (").append(r.mode()).append(" mode) on ")
                .append(r.namespace()).append('/').append(r.service()).append(" started ").append(r.startedAt())
                .append('\n');
        sb.append("  canary: ").append(r.canaryLabels()).append("  stable: ").append(r.stableLabels()).append('\n');
        sb.append("  verdict: ").append(r.verdict()).append(" (phase ").append(r.phase()).append(") decided at measurement ")
                .append(r.decidedAt()).append(" of ").append(r.measurements())
                .append(r.extensions() > 0 ? " (" + r.extensions() + " extension(s))" : "")
                .append(", data ").append(r.lookStart()).append(" to ").append(r.lookEnd()).append('\n');
        sb.append("  reason: ").append(r.reason()).append("\n\nMetrics at the deciding measurement:\n");
        for (OfflineAnalysis.MetricOutcome m : r.metrics()) {
            sb.append(String.format(Locale.ROOT, "  %-28s %-12s%s%n", m.name(), m.classification(),
                    (m.critical() ? " critical" : "") + (m.dryRun() ? " dry-run" : "")));
            if (m.explanation() != null && !m.explanation().isBlank()) {
                sb.append("      ").append(m.explanation()).append('\n');
            }
        }
        sb.append("\nNothing was stored or published; no rollback. ").append(r.prometheusQueries())
                .append(" Prometheus range queries.\n");
        return sb.toString();
    }

    static String of(Object result) {
        return result instanceof Backtests.AaResult a ? aa(a) : replay((Backtests.ReplayResult) result);
    }

}
