package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementCodec;
import io.canaryjudge.verdict.MeasurementDocument;
import io.canaryjudge.verdict.MeasurementRecord;
import io.canaryjudge.verdict.Phase;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine reads back from an analysis' last stored measurement when it resumes it on a replica that did not
 * take that measurement: the state to continue from, or the final decision to end with.
 */
final class LastMeasurement {
    private static final TypeReference<Map<String, Lifecycle.Counters>> COUNTERS = new TypeReference<>() { };

    private final AnalysisStore store;
    private final ObjectMapper json;

    LastMeasurement(AnalysisStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /**
     * A final measurement stored before its verdict.
     *
     * @param seq     the measurement's number
     * @param metrics its per-metric results, which the verdict carries
     */
    record Final(int seq, AnalysisFinisher.Ending ending, List<MeasurementDocument.Metric> metrics) {
    }

    private Optional<MeasurementDocument> last(String id) {
        Optional<MeasurementRecord> last = store.lastMeasurement(id);
        return last.map(m -> MeasurementCodec.read(json, m.resultJson()));
    }

    /**
     * What the last stored measurement carried: a restarted service continues the same lifecycle counters (fixed
     * mode) or e-processes (sequential mode).
     */
    MeasurementPipeline.Carried carried(String id, boolean sequential) {
        MeasurementDocument d = last(id).orElse(null);
        if (d == null) {
            return MeasurementPipeline.Carried.NONE;
        }
        if (sequential) {
            return new MeasurementPipeline.Carried(Map.of(), SequentialStep.fromJson(json, d.sequentialState()));
        }
        return new MeasurementPipeline.Carried(d.counters() != null && d.counters().isObject()
                ? json.convertValue(d.counters(), COUNTERS) : Map.of(), Map.of());
    }

    /**
     * The analysis' last measurement when its decision is FINISH: a service that stopped between storing it and
     * storing the verdict ends the analysis with it instead of taking a measurement the analysis never planned.
     */
    Optional<Final> finalDecision(String id) {
        Optional<MeasurementRecord> last = store.lastMeasurement(id);
        if (last.isEmpty()) {
            return Optional.empty();
        }
        MeasurementDocument d = MeasurementCodec.read(json, last.get().resultJson());
        if (!d.finished()) {
            return Optional.empty();
        }
        // documents stored before the phase was written with them: the phase their verdict ends in
        Phase phase = d.phase() != null ? d.phase() : Phase.of(d.verdict());
        double score = d.score() != null && d.score().isPresent() ? d.score().get() : Double.NaN;
        AnalysisFinisher.Ending ending = new AnalysisFinisher.Ending(phase, d.verdict(), score, d.reason());
        return Optional.of(new Final(last.get().seq(), ending, d.metrics() == null ? List.of() : d.metrics()));
    }
}
