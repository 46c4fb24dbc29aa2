package io.canaryjudge.analysis;

import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.metrics.MetricSource;
import io.canaryjudge.metrics.MetricSourceException;
import io.canaryjudge.metrics.Series;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.template.QueryRenderer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders a metric's queries for each cohort and reads the window from Prometheus. */
@ApplicationScoped
class MetricReader {
    private final RangeSource live;

    MetricReader(MetricSource prometheus) {
        this.live = live(prometheus);
    }

    /** Prometheus itself: both cohorts at the times asked. */
    private static RangeSource live(MetricSource prometheus) {
        return new RangeSource() {
            @Override
            public List<Series> queryRange(String cohort, String query, Instant start, Instant end, Duration step) {
                return prometheus.queryRange(query, start, end, step);
            }

            @Override
            public List<Series> queryRaw(String cohort, String query, Instant at) {
                return prometheus.queryRaw(query, at);
            }
        };
    }

    /** Who is compared: the placeholders of the queries and each cohort's label matchers. */
    record Scope(String namespace, String service, Map<String, String> canary, Map<String, String> stable) {
        static Scope of(DeploymentEvent e) {
            return new Scope(e.namespace(), e.service(), e.canary().labels(), e.stable().labels());
        }
    }

    /** Prometheus, as the live engine's measurements read it. */
    RangeSource source() {
        return live;
    }

    /** Fixed mode's window [start, end], from any source (a backtest's data read ahead). */
    static Observation read(RangeSource source, AnalysisTemplate template, MetricTemplate metric, Scope target,
                            Instant start, Instant end) {
        try {
            return new Observation(metric.name(),
                    cohort(source, template, metric, target, target.canary(), "canary", start, end),
                    cohort(source, template, metric, target, target.stable(), "stable", start, end), null);
        } catch (MetricSourceException | SeriesException e) {
            return Observation.failed(metric.name(), e.getMessage());
        }
    }

    /**
     * Sequential mode: the new interval (start, end]. Point queries (query, events, exposure) read query_range
     * points from {@code start + step} to {@code end}, so intervals share no point; a {@code buckets:} selector is
     * read raw, {@code selector[interval + LOOKBACK]} at {@code end}, and each series' counter is differenced
     * exactly over (start, end] ({@link CounterIncrease}), then summed per {@code le}.
     */
    static Observation readInterval(RangeSource source, AnalysisTemplate template, MetricTemplate metric,
                                    Scope target, Instant start, Instant end) {
        if (metric.kind() == MetricTemplate.MetricKindName.COUNTS && metric.rawCounters()) {
            try {
                return new Observation(metric.name(),
                        counters(source, template, metric, target, target.canary(), "canary", start, end),
                        counters(source, template, metric, target, target.stable(), "stable", start, end), null);
            } catch (MetricSourceException e) {
                return Observation.failed(metric.name(), e.getMessage());
            }
        }
        if (metric.buckets() == null) {
            return read(source, template, metric, target, start.plus(template.step()), end);
        }
        try {
            return new Observation(metric.name(),
                    withBuckets(source, template, metric, target, target.canary(), "canary", start, end),
                    withBuckets(source, template, metric, target, target.stable(), "stable", start, end), null);
        } catch (MetricSourceException | SeriesException e) {
            return Observation.failed(metric.name(), e.getMessage());
        }
    }

    /** How far before an interval's start the raw bucket counters are read to find each series' baseline sample. */
    static final Duration LOOKBACK = Duration.ofMinutes(5);

    /**
     * A counts metric from raw counters: events and exposure are the exact increases over (start, end] of every
     * matching series, summed. No events series is zero events; no exposure series is no data (null).
     */
    private static Observation.CohortData counters(RangeSource source, AnalysisTemplate t, MetricTemplate m,
                                                   Scope target, Map<String, String> labels, String cohort,
                                                   Instant start, Instant end) {
        String events = raw(t, m.eventsCounter(), target, labels, start, end);
        String exposure = raw(t, m.exposureCounter(), target, labels, start, end);
        List<Series> ev = source.queryRaw(cohort, events, end);
        List<Series> ex = source.queryRaw(cohort, exposure, end);
        Workloads.requireOne(ev, cohort, "eventsCounter");
        Workloads.requireOne(ex, cohort, "exposureCounter");
        return new Observation.CohortData(List.of(events, exposure), new double[0], new double[0],
                increase(ev, start, end), ex.isEmpty() ? null : increase(ex, start, end));
    }

    private static String raw(AnalysisTemplate t, String selector, Scope target, Map<String, String> labels,
                              Instant start, Instant end) {
        String rendered = QueryRenderer.render(selector, labels, target.namespace(), target.service(), t.interval(),
                t.step());
        return rendered.strip() + "[" + Duration.between(start, end).plus(LOOKBACK).toSeconds() + "s]";
    }

    private static double increase(List<Series> series, Instant start, Instant end) {
        double from = start.getEpochSecond() + start.getNano() / 1e9;
        double to = end.getEpochSecond() + end.getNano() / 1e9;
        double sum = 0;
        for (Series s : series) {
            sum += CounterIncrease.of(s, from, to);
        }
        return sum;
    }

    private static Observation.CohortData withBuckets(RangeSource source, AnalysisTemplate t, MetricTemplate m,
                                                      Scope target, Map<String, String> labels, String cohort,
                                                      Instant start, Instant end) {
        Observation.CohortData points = m.query() == null
                ? new Observation.CohortData(List.of(), new double[0], new double[0], null, null)
                : cohort(source, t, m, target, labels, cohort, start.plus(t.step()), end);
        String query = raw(t, m.buckets(), target, labels, start, end);
        TreeMap<Double, Double> byLe = new TreeMap<>();
        double from = start.getEpochSecond() + start.getNano() / 1e9;
        double to = end.getEpochSecond() + end.getNano() / 1e9;
        List<Series> bucketSeries = source.queryRaw(cohort, query, end);
        Workloads.requireOne(bucketSeries, cohort, "buckets");
        for (Series s : bucketSeries) {
            String le = s.labels().get("le");
            if (le == null) {
                throw new SeriesException("the buckets selector returned a series without an le label for the " + cohort
                        + " cohort: select the histogram's _bucket counters");
            }
            double bound;
            try {
                bound = Double.parseDouble(le.replace("+Inf", "Infinity"));
            } catch (NumberFormatException ex) {
                throw new SeriesException("the buckets selector returned le=\"" + le + "\", not a number");
            }
            byLe.merge(bound, CounterIncrease.of(s, from, to), Double::sum);
        }
        if (!byLe.isEmpty() && !byLe.containsKey(Double.POSITIVE_INFINITY)) {
            throw new SeriesException("the buckets selector returned no le=\"+Inf\" bucket for the " + cohort
                    + " cohort: without it the observations above the last bound are unknown");
        }
        List<String> queries = new java.util.ArrayList<>(points.queries());
        queries.add(query);
        return new Observation.CohortData(List.copyOf(queries), points.values(), points.times(), null, null,
                byLe.isEmpty() ? null : Buckets.of(byLe));
    }

    private static Observation.CohortData cohort(RangeSource source, AnalysisTemplate t, MetricTemplate m,
                                                 Scope target, Map<String, String> labels, String cohort,
                                                 Instant start, Instant end) {
        String ns = target.namespace();
        String svc = target.service();
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            String events = QueryRenderer.render(m.events(), labels, ns, svc, t.interval(), t.step());
            String exposure = QueryRenderer.render(m.exposure(), labels, ns, svc, t.interval(), t.step());
            Series ev = single(source.queryRange(cohort, events, start, end, t.step()), cohort, "events");
            Series ex = single(source.queryRange(cohort, exposure, start, end, t.step()), cohort, "exposure");
            // No events series is zero events (an error counter with no 5xx yet has no series at all);
            // no exposure series is no data, never zero traffic that would pass.
            return new Observation.CohortData(List.of(events, exposure), new double[0], new double[0],
                    ev == null ? 0.0 : finiteSum(ev.values()), ex == null ? null : finiteSum(ex.values()));
        }
        String query = QueryRenderer.render(m.query(), labels, ns, svc, t.interval(), t.step());
        Series s = single(source.queryRange(cohort, query, start, end, t.step()), cohort, "query");
        return new Observation.CohortData(List.of(query), s == null ? new double[0] : s.values(),
                s == null ? new double[0] : s.times(), null, null);
    }

    private static Series single(List<Series> series, String cohort, String what) {
        if (series.size() > 1) {
            throw new SeriesException("the " + what + " query returned " + series.size() + " series for the " + cohort
                    + " cohort; aggregate them in the template (e.g. sum(...) or histogram_quantile over sum by (le))");
        }
        return series.isEmpty() ? null : series.get(0);
    }

    private static double finiteSum(double[] values) {
        double sum = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
            }
        }
        return sum;
    }

    /** A query result of a shape the template promised not to return. */
    static final class SeriesException extends RuntimeException {
        SeriesException(String message) {
            super(message);
        }
    }
}
