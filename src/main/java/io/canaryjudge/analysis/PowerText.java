package io.canaryjudge.analysis;

import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.SequentialState;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * What a critical metric still lacks before PROMOTE, in its own units, with a rough time to enough data at the
 * current traffic ("12 canary errors in 1,200 requests cannot rule out 2×: upper bound 3.4×; about 25 more minutes
 * at this traffic would"). The time is an extrapolation: a confidence bound narrows roughly with the square root of
 * the information (counts: errors seen), and an e-value grows roughly linearly in log under a steady difference.
 */
final class PowerText {

    private PowerText() {
    }

    static String counts(String name, CountRatioEProcess c, Margins g, boolean decrease, double minutes) {
        String det = factor(decrease ? 1 / g.detectable() : g.detectable());
        StringBuilder b = new StringBuilder(name).append(": ").append(count(c.canaryErrors()))
                .append(" canary errors in ").append(count(c.canaryExposure())).append(" vs ")
                .append(count(c.stableErrors())).append(" in ")
                .append(count(c.stableExposure())).append(" cannot rule out ").append(det);
        double est = c.estimate();
        double bound = decrease ? c.lower() : c.upper();
        if (c.canaryErrors() + c.stableErrors() == 0) {
            return b.append(": without errors in either cohort a rate ratio has no bound; at this traffic the analysis "
                    + "cannot see a ").append(det).append(" change (raise detectable, or run longer).").toString();
        }
        b.append(" (").append(decrease ? "lower" : "upper").append(" bound ").append(factor(bound)).append(')');
        double target = Math.log(decrease ? 1 / g.detectable() : g.detectable());
        double e = Math.log(est);
        boolean beyond = decrease ? e <= target : e >= target;
        if (beyond) {
            return b.append(": the observed ratio ").append(factor(est)).append(" is itself at or beyond it.").toString();
        }
        if (Double.isInfinite(bound) || bound == 0 || Double.isNaN(est) || Double.isInfinite(e)) {
            return b.append(": the ").append(decrease ? "canary" : "stable").append(" cohort has had no errors yet, so "
                    + "the ratio has no ").append(decrease ? "lower" : "upper").append(" bound.").toString();
        }
        double width = Math.abs(Math.log(bound) - e);
        double needed = Math.abs(target - e);
        double more = minutes * (Math.pow(width / needed, 2) - 1);
        return b.append("; about ").append(Math.max(1, Math.round(more))).append(" more minutes at this traffic "
                + "would.").toString();
    }

    static String ranks(String name, SequentialState ruleOut, Margins g, boolean decrease, double shift,
                        double minutes, int looks) {
        String det = percent(decrease ? 1 / g.detectable() : g.detectable());
        StringBuilder b = new StringBuilder(name).append(": ")
                .append(Double.isNaN(shift) ? "level n/a" : percent(shift) + " vs stable")
                .append(" cannot yet rule out ").append(det);
        if (!(ruleOut instanceof BatchRankEProcess r)) {
            return b.append('.').toString();
        }
        double have = r.logM();
        double need = r.threshold();
        b.append(" (rule-out ln M ").append(num(have)).append(" of ").append(num(need)).append(')');
        if (have <= 0 || looks == 0) {
            return b.append(": the data so far does not point below it.").toString();
        }
        double more = (need - have) / (have / looks) * (minutes / looks);
        return b.append("; about ").append(Math.max(1, Math.round(more))).append(" more minutes at this rate of "
                + "evidence would.").toString();
    }

    static String factor(double v) {
        return Double.isInfinite(v) ? "∞" : round(v) + "×";
    }

    static String percent(double ratio) {
        double p = 100 * (ratio - 1);
        return (p >= 0 ? "+" : "−") + round(Math.abs(p)) + " %";
    }

    private static String num(double v) {
        return round(v);
    }

    private static String round(double v) {
        if (v == 0 || Double.isNaN(v)) {
            return Double.isNaN(v) ? "n/a" : "0";
        }
        return new BigDecimal(Double.toString(v)).round(new MathContext(3, RoundingMode.HALF_UP)).stripTrailingZeros()
                .toPlainString();
    }

    private static String count(double v) {
        return String.format(java.util.Locale.ROOT, "%,d", Math.round(v));
    }
}
