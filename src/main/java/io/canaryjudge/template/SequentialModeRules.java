package io.canaryjudge.template;

import io.canaryjudge.template.MetricTemplate.MetricKindName;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Mode {@code sequential} (the default, issue #10): fields of the fixed-horizon judge are refused rather than
 * silently ignored (a template written before sequential became the default must say mode: fixed rather than
 * change meaning); margins are relative and one-sided; the sign test needs query points; counts are exact
 * unless the template accepts extrapolated ones; and at least one critical metric decides.
 */
final class SequentialModeRules {
    static final String FIXED_ONLY = "a field of the fixed-horizon judge that sequential mode (the default) "
            + "does not use: add mode: fixed, or remove it";

    /** The metric fields only the fixed-horizon judge and its scorer read, in the order they are reported. */
    enum FixedOnlyField {
        // a threshold metric's failureLimit counts breached intervals in sequential mode too
        FAILURE_LIMIT("failureLimit", m -> m.failureLimit() != null && m.kind() != MetricKindName.THRESHOLD),
        MIN_SAMPLES("minSamples", m -> m.minSamples() != null),
        MUST_HAVE_DATA("mustHaveData", m -> m.mustHaveData() != null),
        GROUP("group", m -> m.group() != null),
        WEIGHT("weight", m -> m.weight() != null);

        final String field;
        private final Predicate<MetricTemplate> setIn;

        FixedOnlyField(String field, Predicate<MetricTemplate> setIn) {
            this.field = field;
            this.setIn = setIn;
        }
    }

    private SequentialModeRules() {
    }

    static void check(SourceLines at, TemplateFile file, List<MetricTemplate> metrics) {
        if (file.scoring() != null) {
            throw at.error("/scoring", FIXED_ONLY);
        }
        boolean critical = false;
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            String pointer = "/metrics/" + i;
            for (FixedOnlyField f : FixedOnlyField.values()) {
                if (f.setIn.test(m)) {
                    throw at.error(pointer + "/" + f.field, FIXED_ONLY);
                }
            }
            margins(at, pointer, m);
            signTest(at, pointer, m);
            counts(at, pointer, m);
            critical |= m.isCritical() && !m.isDryRun();
        }
        if (!critical) {
            throw at.error("/metrics", "sequential mode needs at least one critical metric (critical: "
                    + "true, not dryRun): PROMOTE means every critical metric ruled out its detectable regression, "
                    + "and with none the analysis could only ever promote blind");
        }
    }

    /** A sequential metric's margins: relative only, one-sided, detectable above tolerance. */
    private static void margins(SourceLines at, String pointer, MetricTemplate m) {
        if (m.kind() == MetricKindName.THRESHOLD) {
            if (m.tolerance() != null || m.detectable() != null) {
                throw at.error(pointer + "/" + (m.tolerance() != null ? "tolerance" : "detectable"),
                        "a threshold metric has its limits in thresholds, not margins");
            }
            return;
        }
        if (m.directionOrDefault() == MetricTemplate.DirectionName.EITHER) {
            throw at.error(pointer + "/direction", "either is not supported in sequential mode: tolerance and "
                    + "detectable are one-sided; write one metric with direction: increase and one with decrease");
        }
        for (String field : new String[] {"tolerance", "detectable"}) {
            MetricTemplate.ToleranceSpec t = field.equals("tolerance") ? m.tolerance() : m.detectable();
            if (t != null && t.absolute() != null) {
                throw at.error(pointer + "/" + field + "/absolute", "sequential margins are relative to stable "
                        + "(relative: 0.2 = 20 % worse); absolute tolerances belong to mode: fixed");
            }
            if (t != null && t.relative() == null) {
                throw at.error(pointer + "/" + field, "needs relative (e.g. relative: 0.2 = 20 % worse than "
                        + "stable)");
            }
        }
        try {
            m.margins();
        } catch (IllegalArgumentException e) {
            throw at.error(pointer + (m.detectable() != null ? "/detectable" : "/tolerance"), e.getMessage()
                    + " (as a factor of stable: tolerance " + describe(m.tolerance()) + ", detectable "
                    + describe(m.detectable()) + ")");
        }
    }

    private static String describe(MetricTemplate.ToleranceSpec t) {
        return t == null || t.relative() == null ? "default" : "relative " + t.relative();
    }

    /** The sign test pairs query points by timestamp: a continuous metric read by query. */
    private static void signTest(SourceLines at, String pointer, MetricTemplate m) {
        if (m.signTested() && (m.kind() != MetricKindName.CONTINUOUS || m.buckets() != null)) {
            throw at.error(pointer + "/test", "sign pairs a continuous metric's query "
                    + "points by timestamp: it needs kind: continuous read by query, not "
                    + (m.buckets() != null ? "histogram buckets (their per-request counts suit the rank tests)"
                    : "kind: " + m.kind().name().toLowerCase(Locale.ROOT)));
        }
    }

    /** Exact counts from raw counters, or extrapolated ones from queries only when the template says so. */
    private static void counts(SourceLines at, String pointer, MetricTemplate m) {
        if (m.kind() == MetricKindName.COUNTS && !m.rawCounters() && !m.isApproximateCounts()) {
            throw at.error(pointer + "/events", "sequential mode needs exact counts: give "
                    + "eventsCounter/exposureCounter (the raw counters, differenced exactly per interval). Counts "
                    + "from events/exposure queries built on increase() are extrapolated, which inflates false "
                    + "aborts beyond alpha; to accept that, set approximateCounts: true");
        }
        if (m.approximateCounts() != null && (m.kind() != MetricKindName.COUNTS || m.rawCounters())) {
            throw at.error(pointer + "/approximateCounts", "only for a counts metric read "
                    + "from events/exposure queries");
        }
    }
}
