package io.canaryjudge.analysis;

/**
 * The judge's rules that say a metric had no data to judge — the looks that count towards
 * {@code inconclusiveLimit} in fixed mode — by the rule name the judge reports. Other NO_DATA results (too few
 * samples, say) had data, just not enough, and do not count.
 */
enum MissingData {
    /** No value in a cohort. */
    NO_DATA("no-data"),
    /** A counts metric with no exposure (no requests) in a cohort. */
    NO_EXPOSURE("no-exposure");

    private final String rule;

    MissingData(String rule) {
        this.rule = rule;
    }

    /** The rule name as the judge reports it. */
    String rule() {
        return rule;
    }

    /** The missing-data rule of a rule name, or null for any other rule. */
    static MissingData of(String rule) {
        for (MissingData d : values()) {
            if (d.rule.equals(rule)) {
                return d;
            }
        }
        return null;
    }
}
