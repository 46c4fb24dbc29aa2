package io.canaryjudge.template;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One metric of an analysis template, as written in YAML. Optional fields are null when absent;
 * {@link TemplateParser} checks them at load.
 *
 * @param kind       continuous (samples compared by rank test), counts (events out of exposure), threshold
 * @param query      PromQL for continuous and threshold metrics
 * @param events     PromQL for the events of a counts metric (e.g. errors)
 * @param exposure   PromQL for the exposure of a counts metric (e.g. requests)
 * @param direction  increase (bad when it grows, the default), decrease, either
 * @param failureLimit          measurements judged HIGH/LOW tolerated before the metric fails (Argo's meaning; default 0)
 * @param inconclusiveLimit     measurements without data tolerated before the analysis ends INCONCLUSIVE (default: no limit)
 * @param consecutiveErrorLimit consecutive failed queries tolerated before the analysis ends in ERROR (default 4)
 * @param dryRun     judged and reported, but never changes the verdict
 * @param nanPolicy  what NaN/Inf samples become: dropped (default, counted), zero, or an ERROR
 * @param buckets    sequential mode, continuous metrics: a series selector of cumulative histogram bucket
 *                   counters with an {@code le} label; the engine differences their raw samples at the interval
 *                   edges into exact per-bucket counts and feeds those to the tests instead of the query's points
 * @param eventsCounter   sequential mode, counts metrics, instead of events/exposure: a series selector of the raw
 *                        events counter, differenced exactly per series over each interval (integer counts)
 * @param exposureCounter the same for the exposure counter (e.g. all requests)
 * @param detectable sequential mode: the smallest regression the analysis must be able to see, relative to stable
 *                   ({@code relative: 1.0} = errors ×2, {@code relative: 0.2} = latency +20 %); PROMOTE needs it ruled
 *                   out. {@code tolerance} is then the change nobody should be paged for: ABORT needs the canary
 *                   shown worse than it. Defaults: counts ×1.2 / ×2, continuous +5 % / +20 %
 * @param approximateCounts sequential mode, counts metrics read from events/exposure queries: accept their
 *                   extrapolated counts (increase()) and the approximate guarantee that comes with them
 * @param test       sequential mode, continuous metrics read by query: {@code ranks} (the default: rank tests on
 *                   each interval's points) or {@code sign} (the canary's and stable's points paired by timestamp, one
 *                   bet per pair: a level read as one number per cohort per step, such as CPU per request or memory
 *                   per pod, which gives rank tests too few points)
 */
public record MetricTemplate(
        String name,
        String description,
        MetricKindName kind,
        String query,
        String events,
        String exposure,
        DirectionName direction,
        ToleranceSpec tolerance,
        Bounds thresholds,
        Boolean critical,
        Boolean mustHaveData,
        Integer minSamples,
        String group,
        Double weight,
        Integer failureLimit,
        Integer inconclusiveLimit,
        Integer consecutiveErrorLimit,
        Boolean dryRun,
        NanPolicy nanPolicy,
        String buckets,
        String eventsCounter,
        String exposureCounter,
        ToleranceSpec detectable,
        Boolean approximateCounts,
        TestName test) {

    /** {@link TestName#RANKS}, under the name callers knew when {@code test} was a string. */
    public static final TestName TEST_RANKS = TestName.RANKS;
    /** {@link TestName#SIGN}, under the name callers knew when {@code test} was a string. */
    public static final TestName TEST_SIGN = TestName.SIGN;

    /** A template written before {@code test} existed. */
    public MetricTemplate(String name, String description, MetricKindName kind, String query, String events,
                          String exposure, DirectionName direction, ToleranceSpec tolerance, Bounds thresholds,
                          Boolean critical, Boolean mustHaveData, Integer minSamples, String group, Double weight,
                          Integer failureLimit, Integer inconclusiveLimit, Integer consecutiveErrorLimit, Boolean dryRun,
                          NanPolicy nanPolicy, String buckets, String eventsCounter, String exposureCounter,
                          ToleranceSpec detectable, Boolean approximateCounts) {
        this(name, description, kind, query, events, exposure, direction, tolerance, thresholds, critical, mustHaveData,
                minSamples, group, weight, failureLimit, inconclusiveLimit, consecutiveErrorLimit, dryRun, nanPolicy,
                buckets, eventsCounter, exposureCounter, detectable, approximateCounts, null);
    }

    /** True for a continuous metric judged by the paired sign test ({@code test: sign}). */
    public boolean signTested() {
        return test == TestName.SIGN;
    }

    public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

    /** A metric without the sequential-only raw inputs (buckets, eventsCounter, exposureCounter). */
    public MetricTemplate(String name, String description, MetricKindName kind, String query, String events,
                          String exposure, DirectionName direction, ToleranceSpec tolerance, Bounds thresholds,
                          Boolean critical, Boolean mustHaveData, Integer minSamples, String group, Double weight,
                          Integer failureLimit, Integer inconclusiveLimit, Integer consecutiveErrorLimit, Boolean dryRun,
                          NanPolicy nanPolicy) {
        this(name, description, kind, query, events, exposure, direction, tolerance, thresholds, critical, mustHaveData,
                minSamples, group, weight, failureLimit, inconclusiveLimit, consecutiveErrorLimit, dryRun, nanPolicy,
                null, null, null, null, null);
    }

    /** Sequential margins when a template leaves them out: counts tolerance ×1.2, detectable ×2. */
    public static final double DEFAULT_COUNTS_TOLERANCE = 0.2;
    public static final double DEFAULT_COUNTS_DETECTABLE = 1.0;
    /** Continuous metrics: tolerance +5 %, detectable +20 %. */
    public static final double DEFAULT_LEVEL_TOLERANCE = 0.05;
    public static final double DEFAULT_LEVEL_DETECTABLE = 0.2;

    /** The full constructor without {@code detectable}: a template written before margins existed. */
    public MetricTemplate(String name, String description, MetricKindName kind, String query, String events,
                          String exposure, DirectionName direction, ToleranceSpec tolerance, Bounds thresholds,
                          Boolean critical, Boolean mustHaveData, Integer minSamples, String group, Double weight,
                          Integer failureLimit, Integer inconclusiveLimit, Integer consecutiveErrorLimit, Boolean dryRun,
                          NanPolicy nanPolicy, String buckets, String eventsCounter, String exposureCounter) {
        this(name, description, kind, query, events, exposure, direction, tolerance, thresholds, critical, mustHaveData,
                minSamples, group, weight, failureLimit, inconclusiveLimit, consecutiveErrorLimit, dryRun, nanPolicy,
                buckets, eventsCounter, exposureCounter, null, null);
    }

    /**
     * The sequential margins of a counts or continuous metric, as factors in its bad direction: the template's
     * relative tolerance and detectable, or the defaults of its kind. Null for a threshold metric.
     */
    public io.canaryjudge.judge.sequential.Margins margins() {
        if (kind == MetricKindName.THRESHOLD) {
            return null;
        }
        boolean counts = kind == MetricKindName.COUNTS;
        double tol = tolerance != null && tolerance.relative() != null ? tolerance.relative()
                : counts ? DEFAULT_COUNTS_TOLERANCE : DEFAULT_LEVEL_TOLERANCE;
        double det = detectable != null && detectable.relative() != null ? detectable.relative()
                : counts ? DEFAULT_COUNTS_DETECTABLE : DEFAULT_LEVEL_DETECTABLE;
        return io.canaryjudge.judge.sequential.Margins.ofRelative(tol, det,
                directionOrDefault() == DirectionName.DECREASE);
    }

    /** Metric kinds of the template language. */
    public enum MetricKindName {
        @JsonProperty("continuous") CONTINUOUS,
        @JsonProperty("counts") COUNTS,
        @JsonProperty("threshold") THRESHOLD
    }

    /** Which way is bad. */
    public enum DirectionName {
        @JsonProperty("increase") INCREASE,
        @JsonProperty("decrease") DECREASE,
        @JsonProperty("either") EITHER
    }

    /** The sequential test of a continuous metric's points: rank tests (the default) or the paired sign test. */
    public enum TestName {
        @JsonProperty("ranks") RANKS,
        @JsonProperty("sign") SIGN
    }

    /** What a NaN or infinite sample becomes. */
    public enum NanPolicy {
        @JsonProperty("drop") DROP,
        @JsonProperty("zero") ZERO,
        @JsonProperty("error") ERROR
    }

    /** Effect-size tolerance: a difference smaller than this is never a failure. */
    public record ToleranceSpec(Double relative, Double absolute) {
    }

    /**
     * Threshold bounds on a quantile of the canary's values (default the median): absolute bounds, and bounds
     * relative to the stable cohort's same quantile ({@code upperRelative: 0.25} = at most 25 % above stable).
     */
    public record Bounds(Double quantile, Double upper, Double lower, Double upperRelative, Double lowerRelative) {
    }

    /** A counts metric read from raw counters (eventsCounter/exposureCounter) rather than events/exposure queries. */
    public boolean rawCounters() {
        return eventsCounter != null || exposureCounter != null;
    }

    public boolean isApproximateCounts() {
        return Boolean.TRUE.equals(approximateCounts);
    }

    public boolean isCritical() {
        return Boolean.TRUE.equals(critical);
    }

    public boolean isMustHaveData() {
        return mustHaveData == null || mustHaveData;
    }

    public boolean isDryRun() {
        return Boolean.TRUE.equals(dryRun);
    }

    public DirectionName directionOrDefault() {
        return direction == null ? DirectionName.INCREASE : direction;
    }

    public NanPolicy nanPolicyOrDefault() {
        return nanPolicy == null ? NanPolicy.DROP : nanPolicy;
    }

    public int failureLimitOrDefault() {
        return failureLimit == null ? 0 : failureLimit;
    }

    /** Negative: no limit. */
    public int inconclusiveLimitOrDefault() {
        return inconclusiveLimit == null ? -1 : inconclusiveLimit;
    }

    public int consecutiveErrorLimitOrDefault() {
        return consecutiveErrorLimit == null ? DEFAULT_CONSECUTIVE_ERROR_LIMIT : consecutiveErrorLimit;
    }
}
