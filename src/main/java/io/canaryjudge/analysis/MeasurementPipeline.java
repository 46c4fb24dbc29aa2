package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.Durations;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.MeasurementCodec;
import io.canaryjudge.verdict.MeasurementDocument;
import io.canaryjudge.verdict.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One measurement of an analysis, the same for the live engine and for backtests: read every metric (fixed mode: the
 * cumulative window, judged with {@link Lifecycle}; sequential mode: the new interval, fed to {@link SequentialStep}),
 * decide, and describe the result as the {@link MeasurementDocument} the live engine stores. It stores, schedules and
 * publishes nothing: that is the caller's.
 */
final class MeasurementPipeline {
    private final ObjectMapper json;
    private final Judging judging;
    private final MetricEntries entries;

    /**
     * @param raw whether a metric's entry keeps each cohort's values and times (at most {@code maxStoredValues}) and a
     *            sequential interval's bucket counts, as the live engine stores them for the web page; a backtest,
     *            with many analyses, leaves them out
     */
    MeasurementPipeline(ObjectMapper json, boolean raw, int maxStoredValues) {
        this.json = json;
        this.judging = new Judging(json);
        this.entries = new MetricEntries(json, judging, raw, maxStoredValues);
    }

    /**
     * Which measurement to take and where its data come from.
     *
     * @param start      the analysis' data start (its start plus the initial delay)
     * @param seq        the measurement's number, 1-based
     * @param total      the measurements planned now (count plus extensions)
     * @param extensions the low-traffic extensions granted so far
     */
    record Look(AnalysisTemplate template, RangeSource source, MetricReader.Scope scope, Instant start, int seq,
                int total, int extensions) {
    }

    /**
     * What one measurement hands to the next: fixed mode's lifecycle counters, sequential mode's e-process states.
     */
    record Carried(Map<String, Lifecycle.Counters> counters, Map<String, SequentialStep.MetricState> states) {
        static final Carried NONE = new Carried(Map.of(), Map.of());
    }

    /**
     * A measurement read, judged and decided, before it is documented.
     *
     * @param judged the judge's result per metric (fixed mode), in template order
     * @param fixed  fixed mode's decision, else null
     * @param step   sequential mode's outcome, else null
     */
    record Measurement(Look look, Instant windowStart, Instant windowEnd, List<Observation> observations,
                       List<MetricResult> judged, Lifecycle.Decision fixed, SequentialStep.StepOutcome step) {

        Lifecycle.Decision.Kind kind() {
            return fixed != null ? fixed.kind() : step.kind();
        }

        /** With FINISH: the phase the analysis ends in. */
        Phase phase() {
            return fixed != null ? fixed.phase() : step.phase();
        }

        /** With FINISH: the analysis' verdict (sequential mode: null when the e-processes decided nothing). */
        Verdict finalVerdict() {
            return fixed != null ? fixed.verdict() : step.verdict();
        }

        /** This measurement's own verdict: the final one when it finishes, else the score's (fixed mode). */
        Verdict verdict() {
            if (fixed != null) {
                return fixed.kind() == Lifecycle.Decision.Kind.FINISH ? fixed.verdict() : fixed.score().verdict();
            }
            return step.verdict() == null ? Verdict.INCONCLUSIVE : step.verdict();
        }

        /** The lifecycle's reason for its decision (null when it continues without one). */
        String reason() {
            return fixed != null ? fixed.reason() : step.reason();
        }

        /** Fixed mode's score; NaN in sequential mode, which has none. */
        double score() {
            return fixed != null ? fixed.score().score() : Double.NaN;
        }

        Carried carried() {
            return fixed != null ? new Carried(fixed.counters(), Map.of()) : new Carried(Map.of(), step.states());
        }
    }

    /** Reads, judges and decides measurement {@code look.seq()}, continuing from what the previous one carried. */
    Measurement take(Look look, Carried previous) {
        return look.template().sequentialMode() ? sequential(look, previous) : fixed(look, previous);
    }

    /** Fixed mode: measurement i reads the cumulative window [start, start + i·interval]. */
    private Measurement fixed(Look look, Carried previous) {
        AnalysisTemplate t = look.template();
        Instant windowEnd = look.start().plus(t.interval().multipliedBy(look.seq()));
        List<Observation> observations = new ArrayList<>();
        List<MetricResult> judged = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            Observation o = Judging.applyNanPolicy(m, MetricReader.read(look.source(), t, m, look.scope(),
                    look.start(), windowEnd));
            observations.add(o);
            judged.add(judging.judge(Judging.spec(m), o));
        }
        Lifecycle.Decision d = Lifecycle.step(t, previous.counters(), judged, look.seq(), look.total(),
                look.extensions());
        return new Measurement(look, look.start(), windowEnd, List.copyOf(observations), List.copyOf(judged), d, null);
    }

    /**
     * Sequential mode (ADR 0004): measurement i reads only the new interval (start + (i−1)·interval,
     * start + i·interval] — query_range points from one step after the interval's start, so consecutive intervals
     * share no point — and feeds it to each metric's e-processes, restored from the previous measurement's state.
     */
    private Measurement sequential(Look look, Carried previous) {
        AnalysisTemplate t = look.template();
        Instant intervalStart = look.start().plus(t.interval().multipliedBy(look.seq() - 1L));
        Instant intervalEnd = look.start().plus(t.interval().multipliedBy(look.seq()));
        List<Observation> observations = new ArrayList<>();
        for (MetricTemplate m : t.metrics()) {
            observations.add(Judging.applyNanPolicy(m, MetricReader.readInterval(look.source(), t, m, look.scope(),
                    intervalStart, intervalEnd)));
        }
        SequentialStep.StepOutcome d = SequentialStep.step(t, previous.states(), observations, look.seq(),
                look.total(), look.extensions());
        return new Measurement(look, intervalStart, intervalEnd, List.copyOf(observations), List.of(), null, d);
    }

    /** Metric {@code i}'s entry in the measurement's document, as JSON in the order it is written. */
    ObjectNode metricEntry(Measurement m, int i) {
        MetricTemplate metric = m.look().template().metrics().get(i);
        Observation o = m.observations().get(i);
        if (m.fixed() != null) {
            return entries.fixed(metric, o, m.judged().get(i));
        }
        return entries.sequential(metric, o, m.step().states().get(metric.name()), m.step().decision());
    }

    /** The document the live engine stores for the measurement. */
    MeasurementDocument document(Measurement m) {
        AnalysisTemplate t = m.look().template();
        List<MeasurementDocument.Metric> metrics = new ArrayList<>();
        for (int i = 0; i < t.metrics().size(); i++) {
            metrics.add(MeasurementCodec.metric(metricEntry(m, i)));
        }
        String decision = m.kind().name();
        Phase phase = m.kind() == Lifecycle.Decision.Kind.FINISH ? m.phase() : null; // a restart finishes from it
        String step = Durations.format(t.step());
        if (m.fixed() != null) {
            Lifecycle.Decision d = m.fixed();
            return new MeasurementDocument(MeasurementDocument.CURRENT_VERSION, m.look().seq(), null, null, null,
                    m.windowStart(), m.windowEnd(), step, m.verdict(), Optional.ofNullable(finite(d.score().score())),
                    d.reason() == null ? d.score().reason() : d.reason(), decision, phase, null, metrics,
                    json.valueToTree(d.score().groupScores()), json.valueToTree(d.counters()), null, Map.of());
        }
        SequentialStep.StepOutcome d = m.step();
        // labelled wherever the verdict is read: the fast tests' guarantee is asymptotic only
        boolean fast = t.sequential().fastMode();
        return new MeasurementDocument(MeasurementDocument.CURRENT_VERSION, m.look().seq(), "sequential",
                fast ? Boolean.TRUE : null, fast ? SequentialStep.asymptotic(t) : null, m.windowStart(),
                m.windowEnd(), step, m.verdict(), null, d.reason(), decision, phase, d.decision().action().name(),
                metrics, null, json.getNodeFactory().pojoNode(d.counters()), SequentialStep.toJson(json, d.states()),
                Map.of());
    }

    static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
