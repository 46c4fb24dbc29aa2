package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;

/**
 * One metric as the decision sees it: name, whether it decides (critical) or only informs, its bad direction, its
 * margins (null: tested against "no difference" only, and no power is required of it), the abort test's state,
 * the log e-values of the rule-out test (H0: worse by the detectable factor) and the within-tolerance test
 * (H0: worse by the tolerance), and the estimated canary/stable ratio of levels for continuous metrics.
 * A metric may contribute informative tests beside (quantiles): pass each as its own non-critical entry.
 */
public record SequentialMetric(String name, boolean critical, Direction direction, Margins margins,
                               SequentialState state, double ruleOutLogM, double withinLogM, double shift,
                               boolean needsPower) {

    public SequentialMetric {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        if (state == null) {
            throw new IllegalArgumentException("state == null");
        }
        if (state.direction() != direction) {
            throw new IllegalArgumentException(name + " was started for direction " + state.direction()
                + ", not " + direction + ": the direction cannot change mid-analysis");
        }
    }

    /** A count metric: margins and the rule-out and within-tolerance evidence come from its state. */
    public static SequentialMetric counts(String name, boolean critical, CountRatioEProcess state) {
        return new SequentialMetric(name, critical, state.direction(), state.margins(), state, state.ruleOutLogM(),
            state.withinLogM(), Double.NaN, state.margins() != null);
    }

    /** A continuous metric judged by rank tests: the abort test at the tolerance and the two DECREASE-side tests. */
    public static SequentialMetric ranks(String name, boolean critical, Margins margins, SequentialState abort,
                                         SequentialState ruleOut, SequentialState within, double shift) {
        return new SequentialMetric(name, critical, abort.direction(), margins, abort,
            ruleOut == null ? Double.NaN : ruleOut.logM(), within == null ? Double.NaN : within.logM(), shift,
            margins != null && ruleOut != null);
    }

    /** A test that reports and never decides (quantile tests pooled over intervals, non-critical metrics' extras). */
    public static SequentialMetric informative(String name, SequentialState state) {
        return new SequentialMetric(name, false, state.direction(), null, state, Double.NaN, Double.NaN, Double.NaN,
            false);
    }

    /** A slow-tail test of a continuous metric: it may abort (when the metric is critical), and needs no power. */
    public static SequentialMetric tail(String name, boolean critical, TailEProcess state) {
        return new SequentialMetric(name, critical, state.direction(), state.counts().margins(), state, Double.NaN,
            Double.NaN, Double.NaN, false);
    }
}
