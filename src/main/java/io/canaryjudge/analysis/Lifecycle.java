package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.ScoreResult;
import io.canaryjudge.judge.Scorer;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happens after a measurement, with Argo Rollouts' limit semantics per metric: more failures than
 * {@code failureLimit} on a critical metric aborts at once; more measurements without data than
 * {@code inconclusiveLimit} ends INCONCLUSIVE; more consecutive query errors than {@code consecutiveErrorLimit}
 * ends in ERROR (verdict INCONCLUSIVE — a broken metric source never promotes, nor rolls back). After the last
 * measurement the scorer decides; a critical metric still short of data follows the template's insufficient-data
 * action. Dry-run metrics are counted and reported but never decide. The limits are {@link MeasurementLimits}, which
 * sequential mode applies too. Pure: no I/O, no clock.
 */
final class Lifecycle {
    private static final String MEASUREMENTS = "measurement(s)";

    private Lifecycle() {
    }

    /**
     * Per metric counters carried from one measurement to the next, stored with each measurement (written and read
     * by {@link SequentialStateCodec} only, also where Jackson meets them).
     */
    @JsonSerialize(using = Counters.Writer.class)
    @JsonDeserialize(using = Counters.Reader.class)
    record Counters(int failures, int inconclusives, int consecutiveErrors, String lastFailure) {
        static final Counters ZERO = new Counters(0, 0, 0, null);

        static final class Writer extends JsonSerializer<Counters> {
            @Override
            public void serialize(Counters value, JsonGenerator gen, SerializerProvider serializers)
                    throws IOException {
                SequentialStateCodec.write(gen, value);
            }
        }

        static final class Reader extends JsonDeserializer<Counters> {
            @Override
            public Counters deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return SequentialStateCodec.counters(ctxt.readTree(p));
            }
        }
    }

    /** The outcome of a step: continue, extend by one interval, or finish with a phase and verdict. */
    record Decision(Kind kind, Phase phase, Verdict verdict, ScoreResult score, String reason,
                    Map<String, Counters> counters) {
        enum Kind { CONTINUE, EXTEND, FINISH }
    }

    static Decision step(AnalysisTemplate template, Map<String, Counters> previous, List<MetricResult> results,
                         int seq, int total, int extensionsUsed) {
        Map<String, Counters> counters = new LinkedHashMap<>();
        List<MetricResult> deciding = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            MetricTemplate m = template.metrics().get(i);
            MetricResult r = results.get(i);
            Counters c = update(previous.getOrDefault(m.name(), Counters.ZERO), r);
            counters.put(m.name(), c);
            if (!m.isDryRun()) {
                deciding.add(applyFailureLimit(m, r, c));
            }
        }
        ScoreResult score = Scorer.of(template.pass(), template.marginal()).score(deciding);
        MeasurementLimits.Stop stop = limits(template, counters, results, seq, total);
        if (stop != null) {
            return decision(stop, score, counters);
        }
        if (seq < total) {
            return new Decision(Decision.Kind.CONTINUE, null, null, score, null, counters);
        }
        List<String> starved = new ArrayList<>();
        for (MetricResult r : deciding) {
            if (r.spec().critical() && r.classification() == Classification.NO_DATA) {
                starved.add(r.name());
            }
        }
        if (!starved.isEmpty() && score.verdict() != Verdict.ABORT) {
            return decision(MeasurementLimits.insufficientData(template, starved, seq, MEASUREMENTS, extensionsUsed,
                    score.reason()), score, counters);
        }
        return new Decision(Decision.Kind.FINISH, Phase.of(score.verdict()), score.verdict(), score,
                score.reason(), counters);
    }

    /** The limits in their order: query errors, then a critical metric's failures, then missing data. */
    private static MeasurementLimits.Stop limits(AnalysisTemplate template, Map<String, Counters> counters,
                                                 List<MetricResult> results, int seq, int total) {
        MeasurementLimits.Stop errors = MeasurementLimits.errors(template,
                m -> counters.get(m.name()).consecutiveErrors(), m -> explanation(results, template, m));
        if (errors != null) {
            return errors;
        }
        for (MetricTemplate m : template.metrics()) {
            Counters c = counters.get(m.name());
            if (MeasurementLimits.overFailureLimit(m, c.failures())) {
                return MeasurementLimits.Stop.finish(Phase.FAILED, Verdict.ABORT, "Critical metric " + m.name()
                        + " was " + c.lastFailure() + " in " + c.failures() + " measurement(s), over its failureLimit "
                        + m.failureLimitOrDefault() + MeasurementLimits.abortedEarly(seq, total) + ": "
                        + explanation(results, template, m));
            }
        }
        return MeasurementLimits.noData(template, m -> counters.get(m.name()).inconclusives(), MEASUREMENTS,
                m -> ": " + explanation(results, template, m));
    }

    private static Counters update(Counters c, MetricResult r) {
        Classification k = r.classification();
        boolean failure = k == Classification.HIGH || k == Classification.LOW;
        boolean missing = k == Classification.NO_DATA && MissingData.of(r.rule()) != null;
        return new Counters(c.failures() + (failure ? 1 : 0), c.inconclusives() + (missing ? 1 : 0),
                k == Classification.ERROR ? c.consecutiveErrors() + 1 : 0, failure ? k.name() : c.lastFailure());
    }

    /** A non-critical metric that failed more often than its limit counts as failed even if the last look passed. */
    private static MetricResult applyFailureLimit(MetricTemplate m, MetricResult r, Counters c) {
        if (c.failures() <= m.failureLimitOrDefault() || r.classification() == Classification.HIGH
                || r.classification() == Classification.LOW || c.lastFailure() == null) {
            return r;
        }
        return new MetricResult(r.spec(), Classification.valueOf(c.lastFailure()), "failure-limit",
                m.name() + " is " + c.lastFailure() + ": it failed in " + c.failures() + " measurement(s), over its "
                        + "failureLimit " + m.failureLimitOrDefault() + "; last look: " + r.explanation(),
                r.canaryCount(), r.stableCount(), r.canaryDropped(), r.stableDropped(), r.canaryLevel(), r.stableLevel(),
                r.u(), r.pValue(), r.shift(), r.effect());
    }

    private static String explanation(List<MetricResult> results, AnalysisTemplate t, MetricTemplate m) {
        return results.get(t.metrics().indexOf(m)).explanation();
    }

    private static Decision decision(MeasurementLimits.Stop stop, ScoreResult score, Map<String, Counters> counters) {
        return new Decision(stop.kind(), stop.phase(), stop.verdict(), score, stop.reason(), counters);
    }
}
