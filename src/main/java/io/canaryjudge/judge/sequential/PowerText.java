package io.canaryjudge.judge.sequential;


/**
 * What a critical metric still lacks before PROMOTE, in its own units, with a rough time to enough data at the
 * current traffic ("12 canary errors in 1,200 requests cannot rule out 2×: upper bound 3.4×; about 25 more minutes
 * at this traffic would"). The time is an extrapolation: a confidence bound narrows roughly with the square root of
 * the information (counts: errors seen), and an e-value grows roughly linearly in log under a steady difference.
 */
public final class PowerText {

    private PowerText() {
    }

    public static String counts(String name, CountRatioEProcess c, Margins g, boolean decrease, double minutes) {
        String det = MetricText.factor(decrease ? 1 / g.detectable() : g.detectable());
        StringBuilder b = new StringBuilder(name).append(": ").append(MetricText.count(c.canaryErrors()))
                .append(" canary errors in ").append(MetricText.count(c.canaryExposure())).append(" vs ")
                .append(MetricText.count(c.stableErrors())).append(" in ")
                .append(MetricText.count(c.stableExposure())).append(" cannot rule out ").append(det);
        double est = c.estimate();
        double bound = decrease ? c.lower() : c.upper();
        if (c.canaryErrors() + c.stableErrors() == 0) {
            return b.append(": without errors in either cohort a rate ratio has no bound; at this traffic the analysis "
                    + "cannot see a ").append(det).append(" change (raise detectable, or run longer).").toString();
        }
        b.append(" (").append(decrease ? "lower" : "upper").append(" bound ").append(MetricText.factor(bound)).append(')');
        double target = Math.log(decrease ? 1 / g.detectable() : g.detectable());
        double e = Math.log(est);
        boolean beyond = decrease ? e <= target : e >= target;
        if (beyond) {
            return b.append(": the observed ratio ").append(MetricText.factor(est)).append(" is itself at or beyond it.")
                    .toString();
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

    public static String ranks(String name, SequentialState ruleOut, Margins g, boolean decrease, double shift,
                        double minutes, int looks) {
        String det = MetricText.percent(decrease ? 1 / g.detectable() : g.detectable());
        StringBuilder b = new StringBuilder(name).append(": ")
                .append(Double.isNaN(shift) ? "level n/a" : MetricText.percent(shift) + " vs stable")
                .append(" cannot yet rule out ").append(det);
        if (ruleOut == null) {
            return b.append('.').toString();
        }
        SequentialState r = ruleOut;
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

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : v == 0 ? "0" : MetricText.plain(v);
    }
}
