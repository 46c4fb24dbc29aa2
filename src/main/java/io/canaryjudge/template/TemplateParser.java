package io.canaryjudge.template;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.canaryjudge.judge.sequential.SequentialConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and validates one YAML template: strict binding (unknown fields, wrong types), the committed JSON
 * Schema, then the rules a schema cannot express (placeholders, durations, step within interval). Every
 * problem names the file, the line when known, and the field.
 */
public final class TemplateParser {
    static final Set<String> PLACEHOLDERS = Set.of("cohort", "namespace", "service", "interval", "step");
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");
    /** A metric name and one brace-delimited set of label matchers, nothing else. */
    static final Pattern SELECTOR = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*\\s*\\{[^\\[\\]()]*}");
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private TemplateParser() {
    }

    public static AnalysisTemplate parse(String source, byte[] yaml) {
        Map<String, Integer> lines = YamlLines.index(yaml);
        JsonNode tree;
        TemplateFile file;
        try {
            tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new TemplateException(source + ": empty file");
            }
            file = YAML.treeToValue(tree, TemplateFile.class);
        } catch (JsonMappingException e) {
            String pointer = pointer(e);
            int line = pointer.isEmpty() ? lineOf(e.getLocation()) : YamlLines.lineOf(lines, pointer);
            throw new TemplateException(source + at(line) + ": " + YamlLines.path(pointer) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new TemplateException(source + at(lineOf(e.getLocation())) + ": unreadable YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TemplateException(source + ": unreadable: " + e.getMessage());
        }
        precheck(source, tree, lines);
        List<TemplateSchema.Violation> violations = TemplateSchema.validate(tree);
        if (!violations.isEmpty()) {
            // the schema reports from the outside in: the deepest violation is the one that says what is wrong
            TemplateSchema.Violation v = violations.get(0);
            for (TemplateSchema.Violation candidate : violations) {
                if (candidate.pointer().length() >= v.pointer().length()) {
                    v = candidate;
                }
            }
            throw new TemplateException(source + at(YamlLines.lineOf(lines, v.pointer())) + ": "
                    + YamlLines.path(v.pointer()) + ": " + v.message()
                    + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more schema violations)" : ""));
        }
        return semantics(source, file, lines);
    }

    /** Checks with clearer messages than the schema's for the fields users get wrong most: durations and queries. */
    private static void precheck(String source, JsonNode tree, Map<String, Integer> lines) {
        for (String field : List.of("interval", "initialDelay", "duration", "step")) {
            if (tree.path(field).isTextual()) {
                duration(source, lines, "/" + field, tree.path(field).asText());
            }
        }
        if (tree.has("count") && tree.has("duration")) {
            throw error(source, lines, "/duration", "give count or duration, not both");
        }
        JsonNode metrics = tree.path("metrics");
        for (int i = 0; i < metrics.size(); i++) {
            for (String field : List.of("query", "events", "exposure", "buckets", "eventsCounter", "exposureCounter")) {
                JsonNode q = metrics.get(i).path(field);
                if (q.isTextual()) {
                    query(source, lines, "/metrics/" + i + "/" + field, q.asText());
                }
            }
        }
    }

    private static AnalysisTemplate semantics(String source, TemplateFile file, Map<String, Integer> lines) {
        Duration interval = duration(source, lines, "/interval", file.interval());
        Duration initialDelay = file.initialDelay() == null ? Duration.ZERO
                : duration(source, lines, "/initialDelay", file.initialDelay());
        int count;
        if (file.count() != null && file.duration() != null) {
            throw error(source, lines, "/duration", "give count or duration, not both");
        } else if (file.duration() != null) {
            Duration total = duration(source, lines, "/duration", file.duration());
            if (total.toMillis() % interval.toMillis() != 0) {
                throw error(source, lines, "/duration", "must be a whole number of intervals");
            }
            count = (int) (total.toMillis() / interval.toMillis());
        } else if (file.count() != null) {
            count = file.count();
        } else {
            throw error(source, lines, "", "count (or duration): required");
        }
        if (count < 1 || count > 1000) {
            throw error(source, lines, "/count", "between 1 and 1000 measurements");
        }
        Duration step = file.step() == null ? interval : duration(source, lines, "/step", file.step());
        if (step.compareTo(interval) > 0) {
            throw error(source, lines, "/step", "must not exceed interval");
        }
        double pass = file.scoring() == null || file.scoring().pass() == null ? 95 : file.scoring().pass();
        double marginal = file.scoring() == null || file.scoring().marginal() == null ? 75 : file.scoring().marginal();
        if (marginal > pass) {
            throw error(source, lines, "/scoring/marginal", "must not exceed pass");
        }
        List<MetricTemplate> metrics = file.metrics();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            String at = "/metrics/" + i;
            if (!names.add(m.name())) {
                throw error(source, lines, at + "/name", "duplicate metric '" + m.name() + "'");
            }
            if (m.kind() == MetricTemplate.MetricKindName.COUNTS && m.rawCounters()) {
                for (String field : List.of("eventsCounter", "exposureCounter")) {
                    String selector = field.equals("eventsCounter") ? m.eventsCounter() : m.exposureCounter();
                    query(source, lines, at + "/" + field, selector);
                    if (!SELECTOR.matcher(selector.strip()).matches()) {
                        throw error(source, lines, at + "/" + field, "must be a plain series selector of the raw "
                                + "counter, e.g. http_server_requests_seconds_count{ {{cohort}} }: the engine differences "
                                + "its samples exactly over each interval, so no increase(), rate(), sum() or [range]");
                    }
                }
                if (m.events() != null || m.exposure() != null) {
                    throw error(source, lines, at + "/eventsCounter", "give events and exposure (queries) or "
                            + "eventsCounter and exposureCounter (raw counters), not both");
                }
            } else if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
                query(source, lines, at + "/events", m.events());
                query(source, lines, at + "/exposure", m.exposure());
            } else if (m.buckets() == null || m.query() != null) {
                query(source, lines, at + "/query", m.query());
            }
            if (m.buckets() != null) {
                query(source, lines, at + "/buckets", m.buckets());
                if (m.kind() != MetricTemplate.MetricKindName.CONTINUOUS) {
                    throw error(source, lines, at + "/buckets", "histogram buckets belong to continuous metrics");
                }
                if (!SELECTOR.matcher(m.buckets().strip()).matches()) {
                    throw error(source, lines, at + "/buckets", "must be a plain series selector of the cumulative "
                            + "bucket counters, e.g. http_server_requests_seconds_bucket{ {{cohort}} }: the engine reads "
                            + "their raw samples and differences them exactly over each interval, so no increase(), "
                            + "rate(), sum() or [range]");
                }
            }
            if (m.kind() != MetricTemplate.MetricKindName.THRESHOLD && m.thresholds() != null) {
                throw error(source, lines, at + "/thresholds", "thresholds belong to threshold metrics");
            }
        }
        // Sequential is the default (issue #10): a template must say mode: fixed to get the fixed-horizon judge.
        AnalysisTemplate.Mode mode = file.mode() == null ? AnalysisTemplate.Mode.SEQUENTIAL : file.mode();
        if (mode == AnalysisTemplate.Mode.FIXED && file.sequential() != null) {
            throw error(source, lines, "/sequential", "only with mode: sequential (the default), not with mode: fixed");
        }
        if (mode == AnalysisTemplate.Mode.FIXED) {
            for (int i = 0; i < metrics.size(); i++) {
                if (metrics.get(i).buckets() != null) {
                    throw error(source, lines, "/metrics/" + i + "/buckets", "only with mode: sequential (fixed mode "
                            + "judges the query's points; use histogram_quantile over sum by (le) there)");
                }
                if (metrics.get(i).rawCounters()) {
                    throw error(source, lines, "/metrics/" + i + "/" + (metrics.get(i).eventsCounter() != null
                            ? "eventsCounter" : "exposureCounter"), "only with mode: sequential (fixed mode reads "
                            + "events and exposure queries)");
                }
            }
        }
        if (mode == AnalysisTemplate.Mode.FIXED) {
            for (int i = 0; i < metrics.size(); i++) {
                if (metrics.get(i).detectable() != null) {
                    throw error(source, lines, "/metrics/" + i + "/detectable", "only with mode: sequential (the "
                            + "fixed-horizon judge has no power rule; its tolerance alone sets what counts)");
                }
                if (metrics.get(i).test() != null) {
                    throw error(source, lines, "/metrics/" + i + "/test", "only with mode: sequential (the "
                            + "fixed-horizon judge compares all points of the analysis with one rank-sum test)");
                }
            }
        }
        if (mode == AnalysisTemplate.Mode.SEQUENTIAL) {
            // Fields of the fixed-horizon judge would be silently ignored: a template written before sequential
            // became the default (limits, scoring) must say mode: fixed rather than change meaning.
            if (file.scoring() != null) {
                throw error(source, lines, "/scoring", FIXED_ONLY);
            }
            boolean critical = false;
            for (int i = 0; i < metrics.size(); i++) {
                MetricTemplate m = metrics.get(i);
                String field = fixedOnlyField(m);
                if (field != null) {
                    throw error(source, lines, "/metrics/" + i + "/" + field, FIXED_ONLY);
                }
                margins(source, lines, i, m);
                if (m.test() != null && !m.test().equals(MetricTemplate.TEST_RANKS)
                        && !m.test().equals(MetricTemplate.TEST_SIGN)) {
                    throw error(source, lines, "/metrics/" + i + "/test", "must be ranks or sign, not " + m.test());
                }
                if (m.signTested() && (m.kind() != MetricTemplate.MetricKindName.CONTINUOUS || m.buckets() != null)) {
                    throw error(source, lines, "/metrics/" + i + "/test", "sign pairs a continuous metric's query "
                            + "points by timestamp: it needs kind: continuous read by query, not "
                            + (m.buckets() != null ? "histogram buckets (their per-request counts suit the rank tests)"
                            : "kind: " + m.kind().name().toLowerCase(java.util.Locale.ROOT)));
                }
                if (m.kind() == MetricTemplate.MetricKindName.COUNTS && !m.rawCounters() && !m.isApproximateCounts()) {
                    throw error(source, lines, "/metrics/" + i + "/events", "sequential mode needs exact counts: give "
                            + "eventsCounter/exposureCounter (the raw counters, differenced exactly per interval). Counts "
                            + "from events/exposure queries built on increase() are extrapolated, which inflates false "
                            + "aborts beyond alpha; to accept that, set approximateCounts: true");
                }
                if (m.approximateCounts() != null && (m.kind() != MetricTemplate.MetricKindName.COUNTS
                        || m.rawCounters())) {
                    throw error(source, lines, "/metrics/" + i + "/approximateCounts", "only for a counts metric read "
                            + "from events/exposure queries");
                }
                critical |= m.isCritical() && !m.isDryRun();
            }
            if (!critical) {
                throw error(source, lines, "/metrics", "sequential mode needs at least one critical metric (critical: "
                        + "true, not dryRun): PROMOTE means every critical metric ruled out its detectable regression, "
                        + "and with none the analysis could only ever promote blind");
            }
        }
        SequentialConfig sequential = sequential(source, lines, file.sequential());
        if (sequential.maxCount() != 0 && sequential.maxCount() < count) {
            throw error(source, lines, "/sequential/maxCount", "must be at least count (" + count + "): the analysis "
                    + "runs its planned count, then extends up to maxCount while a detectable regression is not yet "
                    + "ruled out");
        }
        if (file.sequential() != null && file.sequential().vOpt() != null && !sequential.fastMode()) {
            throw error(source, lines, "/sequential/vOpt", "tunes fast mode only: set fastMode: true or drop vOpt");
        }
        return new AnalysisTemplate(file.name(), file.description(), interval, initialDelay, count, step, pass,
                marginal, file.insufficientData(), metrics, source, file.rollback(), mode, sequential);
    }

    private static final String FIXED_ONLY = "a field of the fixed-horizon judge that sequential mode (the default) "
            + "does not use: add mode: fixed, or remove it";

    /** A sequential metric's margins: relative only, one-sided, detectable above tolerance. */
    private static void margins(String source, Map<String, Integer> lines, int i, MetricTemplate m) {
        String at = "/metrics/" + i;
        if (m.kind() == MetricTemplate.MetricKindName.THRESHOLD) {
            if (m.tolerance() != null || m.detectable() != null) {
                throw error(source, lines, at + "/" + (m.tolerance() != null ? "tolerance" : "detectable"),
                        "a threshold metric has its limits in thresholds, not margins");
            }
            return;
        }
        if (m.directionOrDefault() == MetricTemplate.DirectionName.EITHER) {
            throw error(source, lines, at + "/direction", "either is not supported in sequential mode: tolerance and "
                    + "detectable are one-sided; write one metric with direction: increase and one with decrease");
        }
        for (String field : new String[] {"tolerance", "detectable"}) {
            MetricTemplate.ToleranceSpec t = field.equals("tolerance") ? m.tolerance() : m.detectable();
            if (t != null && t.absolute() != null) {
                throw error(source, lines, at + "/" + field + "/absolute", "sequential margins are relative to stable "
                        + "(relative: 0.2 = 20 % worse); absolute tolerances belong to mode: fixed");
            }
            if (t != null && t.relative() == null) {
                throw error(source, lines, at + "/" + field, "needs relative (e.g. relative: 0.2 = 20 % worse than "
                        + "stable)");
            }
        }
        try {
            m.margins();
        } catch (IllegalArgumentException e) {
            throw error(source, lines, at + (m.detectable() != null ? "/detectable" : "/tolerance"), e.getMessage()
                    + " (as a factor of stable: tolerance " + describe(m.tolerance()) + ", detectable "
                    + describe(m.detectable()) + ")");
        }
    }

    private static String describe(MetricTemplate.ToleranceSpec t) {
        return t == null || t.relative() == null ? "default" : "relative " + t.relative();
    }

    /** The first metric field set that only the fixed-horizon judge and its scorer read, or null. */
    private static String fixedOnlyField(MetricTemplate m) {
        // a threshold metric's failureLimit counts breached intervals in sequential mode too
        if (m.failureLimit() != null && m.kind() != MetricTemplate.MetricKindName.THRESHOLD) {
            return "failureLimit";
        }
        if (m.minSamples() != null) {
            return "minSamples";
        }
        if (m.mustHaveData() != null) {
            return "mustHaveData";
        }
        if (m.group() != null) {
            return "group";
        }
        return m.weight() != null ? "weight" : null;
    }

    /** The sequential block over SequentialConfig.defaults(); its own checks become template errors. */
    private static SequentialConfig sequential(String source, Map<String, Integer> lines, TemplateFile.Sequential s) {
        SequentialConfig d = SequentialConfig.defaults();
        if (s == null) {
            return d;
        }
        if (s.rTol() != null) {
            throw error(source, lines, "/sequential/rTol", "replaced by each metric's tolerance and detectable "
                    + "(e.g. tolerance: {relative: 0.25}): early PROMOTE now needs every critical metric within its "
                    + "tolerance");
        }
        try {
            return new SequentialConfig(or(s.alpha(), d.alpha()), or(s.splitAlpha(), d.splitAlpha()),
                    or(s.sigma(), d.sigma()), or(s.tau(), d.tau()), s.quantiles() == null ? d.quantiles() : s.quantiles(),
                    d.tOpt(), or(s.fastMode(), d.fastMode()), or(s.vOpt(), d.vOpt()), or(s.earlyPromote(),
                    d.earlyPromote()), or(s.minPromoteIntervals(), d.minPromoteIntervals()),
                    or(s.maxCount(), d.maxCount()), or(s.tailQuantile(), d.tailQuantile()),
                    or(s.tailTolerance(), d.tailTolerance()));
        } catch (IllegalArgumentException e) {
            throw error(source, lines, "/sequential", e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static void query(String source, Map<String, Integer> lines, String pointer, String query) {
        if (query == null || query.isBlank()) {
            throw error(source, lines, pointer, "required");
        }
        Matcher m = PLACEHOLDER.matcher(query);
        boolean cohort = false;
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw error(source, lines, pointer, "unknown placeholder {{" + m.group(1) + "}}, known: "
                        + new java.util.TreeSet<>(PLACEHOLDERS));
            }
            cohort |= m.group(1).equals("cohort");
        }
        if (!cohort) {
            // Kayenta #553: a query without the cohort selector reads the same series for canary and stable.
            throw error(source, lines, pointer, "must use {{cohort}}, otherwise canary and stable read the same series");
        }
    }

    private static Duration duration(String source, Map<String, Integer> lines, String pointer, String text) {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(source, lines, pointer, e.getMessage());
        }
    }

    private static TemplateException error(String source, Map<String, Integer> lines, String pointer, String message) {
        return new TemplateException(source + at(YamlLines.lineOf(lines, pointer)) + ": " + YamlLines.path(pointer)
                + ": " + message);
    }

    private static String at(int line) {
        return line < 0 ? "" : ":" + line;
    }

    private static int lineOf(JsonLocation location) {
        return location == null ? -1 : location.getLineNr();
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append('/').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('/').append(r.getIndex());
            }
        }
        return sb.toString();
    }
}
