package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The analyses in flight on this replica: those with a measurement planned or running here (the sweep resumes owned
 * ones that are not), and, per analysis, what its measurements need besides the store's mutable columns, parsed once
 * instead of once per measurement.
 */
final class RunningAnalyses {
    private final ObjectMapper json;
    /** Analyses with a measurement planned or running here. */
    private final Set<String> local = ConcurrentHashMap.newKeySet();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    /** Parsed templates by their stored JSON: the analyses of one template share one parsed copy. */
    private final Map<String, AnalysisTemplate> compiled = new ConcurrentHashMap<>();

    RunningAnalyses(ObjectMapper json) {
        this.json = json;
    }

    /**
     * One analysis running here: the stored record without its event and template text, the event, the template, and
     * what the previous measurement taken here carried (so the next one need not read and parse it back).
     */
    static final class Run {
        final AnalysisRecord record;
        final DeploymentEvent event;
        final AnalysisTemplate template;
        private volatile int lastSeq;
        private volatile MeasurementPipeline.Carried carried = MeasurementPipeline.Carried.NONE;

        Run(AnalysisRecord record, DeploymentEvent event, AnalysisTemplate template) {
            this.record = record;
            this.event = event;
            this.template = template;
        }

        /** Remembers what measurement {@code seq} carried; -1: it was not the one stored, so it is read back. */
        void remember(int seq, MeasurementPipeline.Carried carried) {
            this.carried = carried;
            this.lastSeq = seq;
        }

        /** Whether measurement {@code seq - 1} was taken (and stored) here, so its carried state is at hand. */
        boolean follows(int seq) {
            return lastSeq == seq - 1;
        }

        MeasurementPipeline.Carried carried() {
            return carried;
        }

        /** The run's record with the store's current phase and planned measurement count. */
        AnalysisRecord withProgress(AnalysisStore.Progress p) {
            return record.withProgress(p);
        }
    }

    /** The analysis' run, parsed from the stored record the first time it is asked for. */
    Run of(AnalysisRecord a) throws JsonProcessingException {
        Run r = runs.get(a.id());
        if (r != null) {
            return r;
        }
        AnalysisTemplate t = compiled.get(a.templateJson());
        if (t == null) {
            t = json.readValue(a.templateJson(), AnalysisTemplate.class);
            if (compiled.size() >= 256) {
                compiled.clear(); // templates edited many times: keep the cache bounded
            }
            compiled.put(a.templateJson(), t);
        }
        r = new Run(a.withoutDocuments(), json.readValue(a.eventJson(), DeploymentEvent.class), t);
        runs.put(a.id(), r);
        return r;
    }

    /** The analysis' run if it was parsed here, else null. */
    Run get(String id) {
        return runs.get(id);
    }

    Map<String, Run> runs() {
        return runs;
    }

    /** Counts the analysis in flight here (a measurement is planned). */
    void plan(String id) {
        local.add(id);
    }

    boolean planned(String id) {
        return local.contains(id);
    }

    Set<String> local() {
        return local;
    }

    /** Stops counting the analysis as in flight here and drops its parsed run. */
    void forget(String id) {
        local.remove(id);
        runs.remove(id);
    }
}
