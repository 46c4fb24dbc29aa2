package io.canaryjudge.analysis;

import io.canaryjudge.intake.DeploymentEvent;
import io.canaryjudge.metrics.PrometheusClient;
import io.canaryjudge.metrics.PrometheusException;
import io.canaryjudge.metrics.Series;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.template.QueryRenderer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Renders a metric's queries for each cohort and reads the window from Prometheus. */
@ApplicationScoped
class MetricReader {
    private final PrometheusClient prometheus;

    MetricReader(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    Observation read(AnalysisTemplate template, MetricTemplate metric, DeploymentEvent event, Instant start, Instant end) {
        return read((cohort, query, from, to, step) -> prometheus.queryRange(query, from, to, step), template, metric,
                event.namespace(), event.service(), event.canary().labels(), event.stable().labels(), start, end);
    }

    /** The same reading from any source of range queries (a backtest's data read ahead). */
    static Observation read(RangeSource source, AnalysisTemplate template, MetricTemplate metric, String namespace,
                            String service, Map<String, String> canary, Map<String, String> stable, Instant start,
                            Instant end) {
        try {
            return new Observation(metric.name(),
                    cohort(source, template, metric, namespace, service, canary, "canary", start, end),
                    cohort(source, template, metric, namespace, service, stable, "stable", start, end), null);
        } catch (PrometheusException | SeriesException e) {
            return Observation.failed(metric.name(), e.getMessage());
        }
    }

    private static Observation.CohortData cohort(RangeSource source, AnalysisTemplate t, MetricTemplate m,
                                                 String namespace, String service, Map<String, String> labels,
                                                 String cohort, Instant start, Instant end) {
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            String events = QueryRenderer.render(m.events(), labels, namespace, service, t.interval(), t.step());
            String exposure = QueryRenderer.render(m.exposure(), labels, namespace, service, t.interval(), t.step());
            Series ev = single(source.queryRange(cohort, events, start, end, t.step()), cohort, "events");
            Series ex = single(source.queryRange(cohort, exposure, start, end, t.step()), cohort, "exposure");
            // No events series is zero events (an error counter with no 5xx yet has no series at all);
            // no exposure series is no data, never zero traffic that would pass.
            return new Observation.CohortData(List.of(events, exposure), new double[0], new double[0],
                    ev == null ? 0.0 : finiteSum(ev.values()), ex == null ? null : finiteSum(ex.values()));
        }
        String query = QueryRenderer.render(m.query(), labels, namespace, service, t.interval(), t.step());
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
