package io.canaryjudge.backtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.analysis.OfflineAnalysis;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.metrics.MetricSource;
import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.Durations;
import io.canaryjudge.template.InsufficientData;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.template.TemplateRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Facade of the backtest feature: validates a request, reads the past data once per query and cohort, and runs
 * the template over it with the live engine's rules ({@link OfflineAnalysis}). Synchronous and bounded by
 * {@link BacktestConfig}.
 */
@ApplicationScoped
public class Backtests {
    private static final Logger LOG = Logger.getLogger(Backtests.class);
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final int MAX_LABELS = 20;
    private static final int MAX_LABEL_VALUE = 1024;
    static final double CONFIDENCE = 0.95;

    private final TemplateRepository templates;
    private final MetricSource prometheus;
    private final BacktestConfig config;
    private final Clock clock;
    private final OfflineAnalysis analysis;

    Backtests(TemplateRepository templates, MetricSource prometheus, BacktestConfig config, Clock clock,
              ObjectMapper json) {
        this.templates = templates;
        this.prometheus = prometheus.backtests();
        this.config = config;
        this.clock = clock;
        this.analysis = new OfflineAnalysis(json);
    }

    /** One A/A window's outcome. */
    public record Window(int index, Instant start, Instant end, Verdict verdict, int decidedAt, int measurements,
                         List<String> failedMetrics, String reason) {
    }

    /** Per metric: windows in which it failed (HIGH/LOW at the deciding look), and of those the ABORT ones. */
    public record MetricCount(String name, boolean critical, boolean dryRun, int failedWindows, int abortWindows) {
    }

    /** The estimated false-abort rate: ABORT windows out of all, with the exact Clopper–Pearson interval. */
    public record Rate(int aborts, int windows, double estimate, double lower, double upper, double confidenceLevel,
                       String method) {
    }

    /** Result of an A/A backtest. */
    public record AaResult(String kind, String template, String mode, String namespace, String service, String method,
                           Map<String, String> canaryLabels, Map<String, String> stableLabels, String offset,
                           String windowDuration, Instant from, Instant to, int windows,
                           Map<String, Integer> verdicts, Rate falseAbortRate, Double alpha, String comparison,
                           List<MetricCount> metrics, List<Window> windowResults, int prometheusQueries) {
    }

    /** Result of a replay of a past deployment. */
    public record ReplayResult(String kind, String template, String mode, String namespace, String service,
                               Map<String, String> canaryLabels, Map<String, String> stableLabels, Instant startedAt,
                               Verdict verdict, String phase, String reason, int decidedAt, int measurements,
                               int extensions, Instant lookStart, Instant lookEnd, List<String> failedMetrics,
                               List<OfflineAnalysis.MetricOutcome> metrics, int prometheusQueries) {
    }

    /** Runs the request; bad input is a {@link InvalidInputException} naming the field. */
    public Object run(BacktestRequest r) {
        if (r == null) {
            throw new InvalidInputException("$", "a JSON object is required: kind, template, namespace, service, ...");
        }
        if (r.kind() == null) {
            throw new InvalidInputException("kind", "kind is required: aa or replay");
        }
        return switch (r.kind()) {
            case "aa" -> aa(r);
            case "replay" -> replay(r);
            default -> throw new InvalidInputException("kind", "unknown kind '" + r.kind() + "', expected aa or replay");
        };
    }

    private AnalysisTemplate template(BacktestRequest r) {
        if (r.template() == null || r.template().isBlank()) {
            throw new InvalidInputException("template", "template is required: the name of a loaded analysis template");
        }
        return templates.find(r.template()).orElseThrow(() -> new InvalidInputException("template",
                "unknown analysis template '" + r.template() + "'; loaded: " + templates.all().stream()
                        .map(AnalysisTemplate::name).sorted().toList()));
    }

    private static String dnsLabel(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (!Inputs.isDnsLabel(value)) {
            throw new InvalidInputException(field, field + " must be a DNS-1123 label (lower case letters, digits and '-')");
        }
        return value;
    }

    private static Map<String, String> labels(String field, Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            throw new InvalidInputException(field, field + " is required: the Prometheus labels that select the cohort");
        }
        if (labels.size() > MAX_LABELS) {
            throw new InvalidInputException(field, field + ": at most " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getKey().length() > 128 || !LABEL_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidInputException(field, field + ": label name '" + e.getKey() + "' is not a Prometheus label name");
            }
            if (e.getValue() == null || e.getValue().length() > MAX_LABEL_VALUE) {
                throw new InvalidInputException(field + "." + e.getKey(), field + "." + e.getKey()
                        + " must be a string of at most " + MAX_LABEL_VALUE + " characters");
            }
        }
        return new TreeMap<>(labels); // the order the live analysis renders them in
    }

    private AaResult aa(BacktestRequest r) {
        AnalysisTemplate t = template(r);
        String namespace = dnsLabel("namespace", r.namespace());
        String service = dnsLabel("service", r.service());
        Duration window = t.interval().multipliedBy(t.count());
        AaCohorts sides = aaCohorts(r, window);
        int n = aaWindows(r, t, window);
        Instant spanEnd = r.from().plus(window.multipliedBy(n)).plus(t.interval().multipliedBy(maxExtensions(t)));
        ReadAhead source = source(t, sides.offset(), r.from(), spanEnd, n);
        OfflineAnalysis.Cohorts cohorts = new OfflineAnalysis.Cohorts(namespace, service, sides.canary(),
                sides.stable());
        AaTally tally = new AaTally(t);
        for (int k = 0; k < n; k++) {
            Instant start = r.from().plus(window.multipliedBy(k));
            // no rollout inside a stable window, so no warm-up to skip: the analysis reads the window itself
            tally.add(k, start, start.plus(window), analysis.run(t, cohorts, start.minus(t.initialDelay()), source));
        }
        int aborts = tally.verdicts.get(Verdict.ABORT.name());
        ClopperPearson cp = ClopperPearson.of(aborts, n, CONFIDENCE);
        Rate rate = new Rate(aborts, n, cp.estimate(), cp.lower(), cp.upper(), CONFIDENCE, "Clopper-Pearson (exact)");
        Double alpha = t.sequentialMode() ? t.sequential().alpha() : null;
        LOG.infof("backtest=aa template=%s service=%s/%s windows=%d aborts=%d queries=%d", t.name(), namespace, service,
                n, aborts, source.queries());
        return new AaResult("aa", t.name(), mode(t), namespace, service, sides.method(), sides.canary(),
                sides.stable(), Durations.format(sides.offset()), Durations.format(window), r.from(),
                r.from().plus(window.multipliedBy(n)), n, tally.verdicts, rate, alpha, Comparison.sentence(t, rate),
                tally.metrics(t), tally.rows, source.queries());
    }

    /**
     * The two sides an A/A backtest compares: one stable cohort against itself offset in time, or two disjoint stable
     * selectors; {@code method} names which.
     */
    private record AaCohorts(Map<String, String> canary, Map<String, String> stable, String method, Duration offset) {
    }

    private static AaCohorts aaCohorts(BacktestRequest r, Duration window) {
        Map<String, String> canary;
        Map<String, String> stable;
        String method;
        if (r.labels() != null && r.cohorts() != null) {
            throw new InvalidInputException("cohorts", "give either labels (one stable cohort, offset in time) or cohorts "
                    + "(two disjoint stable selectors), not both");
        }
        if (r.cohorts() != null) {
            canary = labels("cohorts.a.labels", r.cohorts().a() == null ? null : r.cohorts().a().labels());
            stable = labels("cohorts.b.labels", r.cohorts().b() == null ? null : r.cohorts().b().labels());
            method = "cohorts";
        } else if (r.labels() != null) {
            canary = labels("labels", r.labels());
            stable = canary;
            method = "offset";
        } else {
            throw new InvalidInputException("labels", "labels (the stable cohort, compared with itself offset in time) or "
                    + "cohorts.a and cohorts.b (two disjoint stable selectors) are required");
        }
        Duration offset = method.equals("offset") ? window : Duration.ZERO;
        if (r.offset() != null) {
            try {
                offset = Durations.parse(r.offset());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("offset", "offset: " + e.getMessage());
            }
        }
        if (canary.equals(stable) && offset.isZero()) {
            throw new InvalidInputException(method.equals("offset") ? "offset" : "cohorts",
                    "both sides would read the same series at the same time: give two different cohorts or a "
                            + "positive offset");
        }
        return new AaCohorts(canary, stable, method, offset);
    }

    /** The number of whole analysis windows in [from, to], within the limit; the range must lie in the past. */
    private int aaWindows(BacktestRequest r, AnalysisTemplate t, Duration window) {
        if (r.from() == null || r.to() == null) {
            throw new InvalidInputException(r.from() == null ? "from" : "to", "from and to are required (RFC 3339)");
        }
        if (!r.from().isBefore(r.to())) {
            throw new InvalidInputException("from", "from must be before to");
        }
        Instant now = clock.instant();
        if (r.to().isAfter(now)) {
            throw new InvalidInputException("to", "to is in the future (now is " + now + "): a backtest reads past data only");
        }
        long windows = Duration.between(r.from(), r.to()).toMillis() / window.toMillis();
        if (windows < 1) {
            throw new InvalidInputException("to", "the range is shorter than one analysis window of " + Durations.format(window)
                    + " (interval x count of " + t.name() + ")");
        }
        if (windows > config.maxWindows()) {
            throw new InvalidInputException("to", "the range holds " + windows + " windows of " + Durations.format(window)
                    + ", more than the limit of " + config.maxWindows() + " per backtest (canary.backtest.max-windows); "
                    + "split the range");
        }
        return (int) windows;
    }

    /** The A/A windows' outcomes as they are run: verdicts, per-metric failures and one row per window. */
    private static final class AaTally {
        final Map<String, Integer> verdicts = new LinkedHashMap<>();
        /** Per metric: windows it failed in, and of those the ABORT ones. */
        final Map<String, int[]> perMetric = new LinkedHashMap<>();
        final List<Window> rows = new ArrayList<>();

        AaTally(AnalysisTemplate t) {
            for (Verdict v : Verdict.values()) {
                verdicts.put(v.name(), 0);
            }
            t.metrics().forEach(m -> perMetric.put(m.name(), new int[2]));
        }

        void add(int k, Instant start, Instant end, OfflineAnalysis.Result o) {
            verdicts.merge(o.verdict().name(), 1, Integer::sum);
            for (OfflineAnalysis.MetricOutcome m : o.metrics()) {
                if (m.failed()) {
                    perMetric.get(m.name())[0]++;
                    if (o.verdict() == Verdict.ABORT) {
                        perMetric.get(m.name())[1]++;
                    }
                }
            }
            rows.add(new Window(k + 1, start, end, o.verdict(), o.decidedAt(), o.measurements(),
                    o.failedMetrics(), o.reason()));
        }

        List<MetricCount> metrics(AnalysisTemplate t) {
            return t.metrics().stream().map(m -> new MetricCount(m.name(), m.isCritical(), m.isDryRun(),
                    perMetric.get(m.name())[0], perMetric.get(m.name())[1])).toList();
        }
    }

    private ReplayResult replay(BacktestRequest r) {
        AnalysisTemplate t = template(r);
        String namespace = dnsLabel("namespace", r.namespace());
        String service = dnsLabel("service", r.service());
        Map<String, String> canary = labels("canary.labels", r.canary() == null ? null : r.canary().labels());
        Map<String, String> stable = labels("stable.labels", r.stable() == null ? null : r.stable().labels());
        if (canary.equals(stable)) {
            throw new InvalidInputException("stable.labels", "canary and stable labels are identical: both cohorts would be the "
                    + "same series");
        }
        if (r.startedAt() == null) {
            throw new InvalidInputException("startedAt", "startedAt is required (RFC 3339): when the deployment started");
        }
        Instant now = clock.instant();
        if (r.startedAt().plus(t.length()).isAfter(now)) {
            throw new InvalidInputException("startedAt", "the analysis would end at " + r.startedAt().plus(t.length())
                    + ", after now (" + now + "): a replay reads past data only");
        }
        Instant start = r.startedAt().plus(t.initialDelay());
        Instant spanEnd = r.startedAt().plus(t.length()).plus(t.interval().multipliedBy(maxExtensions(t)));
        ReadAhead source = source(t, Duration.ZERO, start, spanEnd, 1);
        OfflineAnalysis.Result o = analysis.run(t, new OfflineAnalysis.Cohorts(namespace, service, canary, stable),
                r.startedAt(), source);
        LOG.infof("backtest=replay template=%s service=%s/%s verdict=%s decidedAt=%d queries=%d", t.name(), namespace,
                service, o.verdict(), o.decidedAt(), source.queries());
        return new ReplayResult("replay", t.name(), mode(t), namespace, service, canary, stable, r.startedAt(),
                o.verdict(), o.phase(), o.reason(), o.decidedAt(), o.measurements(), o.extensions(),
                o.lookStart(), o.lookEnd(), o.failedMetrics(), o.metrics(), source.queries());
    }

    private ReadAhead source(AnalysisTemplate t, Duration offset, Instant spanStart, Instant spanEnd, int analyses) {
        long points = ReadAhead.points(spanStart, spanEnd, t.step());
        if (points > config.maxPoints()) {
            throw new InvalidInputException("to", "the backtest would read " + points + " points per query at step "
                    + Durations.format(t.step()) + ", more than the limit of " + config.maxPoints()
                    + " (canary.backtest.max-points); shorten the range");
        }
        long raw = (long) analyses * (t.count() + maxExtensions(t)) * rawReadsPerLook(t) * 2;
        if (raw > config.maxRawQueries()) {
            throw new InvalidInputException("to", "the backtest would send up to " + raw + " raw Prometheus queries (counter and "
                    + "bucket selectors are read once per measurement and cohort), more than the limit of "
                    + config.maxRawQueries() + " (canary.backtest.max-raw-queries); shorten the range");
        }
        return new ReadAhead(prometheus, t.step(), offset, spanStart, spanEnd, config.maxPointsPerQuery());
    }

    /** Instant queries of one look and cohort: sequential mode's raw counters (2) and bucket selectors (1). */
    private static int rawReadsPerLook(AnalysisTemplate t) {
        if (!t.sequentialMode()) {
            return 0;
        }
        int n = 0;
        for (MetricTemplate m : t.metrics()) {
            if (m.kind() == MetricTemplate.MetricKindName.COUNTS && m.rawCounters()) {
                n += 2;
            } else if (m.kind() != MetricTemplate.MetricKindName.COUNTS && m.buckets() != null) {
                n += 1;
            }
        }
        return n;
    }

    /** Intervals an analysis may run past count: low-traffic extensions, and sequential mode's run to maxCount. */
    private static int maxExtensions(AnalysisTemplate t) {
        int lowTraffic = t.insufficientData().actionOrDefault() == InsufficientData.Action.EXTEND
                ? t.insufficientData().maxExtensionsOrDefault() : 0;
        return t.sequentialMode() ? Math.max(lowTraffic, t.sequential().maxIntervals(t.count()) - t.count())
                : lowTraffic;
    }

    private static String mode(AnalysisTemplate t) {
        return t.sequentialMode() ? "sequential" : "fixed";
    }
}
