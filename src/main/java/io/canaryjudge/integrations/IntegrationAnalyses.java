package io.canaryjudge.integrations;

import io.canaryjudge.problem.ConflictException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.analysis.AnalysisService;
import io.canaryjudge.event.Submission;
import io.canaryjudge.event.Cohort;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.EventReader;
import io.canaryjudge.event.EventType;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementCodec;
import io.canaryjudge.verdict.MeasurementDocument;
import io.canaryjudge.verdict.MeasurementRecord;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Facade the integrations share: start-or-find an analysis for a deploy tool's call and tell where it stands.
 * Every request is validated exactly like a deployment event (same rules, same 400 answers) and submitted to
 * {@link AnalysisService}, whose event-id idempotency makes each repeated call find the first one's analysis.
 */
@ApplicationScoped
public class IntegrationAnalyses {
    private static final Logger LOG = Logger.getLogger(IntegrationAnalyses.class);

    private final EventReader reader;
    private final AnalysisService analyses;
    private final AnalysisStore store;
    private final ObjectMapper json;
    private final Clock clock;

    IntegrationAnalyses(EventReader reader, AnalysisService analyses, AnalysisStore store, ObjectMapper json, Clock clock) {
        this.reader = reader;
        this.analyses = analyses;
        this.store = store;
        this.json = json;
        this.clock = clock;
    }

    /**
     * The analysis of this request's event id, started now if there is none yet.
     *
     * @throws io.canaryjudge.event.InvalidEventException naming each invalid field (answered 400)
     */
    public AnalysisRecord startOrFind(CanaryRequest r) {
        Optional<AnalysisRecord> existing = store.findByEventId(r.eventId());
        if (existing.isPresent()) {
            requireSameCanary(existing.get(), r);
            return existing.get();
        }
        ObjectNode e = json.createObjectNode();
        e.put("id", r.eventId());
        e.put("type", EventType.STARTED.wireName());
        e.put("deploymentId", r.deploymentId());
        e.put("namespace", r.namespace());
        e.put("service", r.service());
        e.put("template", r.template());
        e.set("canary", cohort(json.createObjectNode(), r.canaryDigest(), r.canaryLabels()));
        e.set("stable", cohort(json.createObjectNode(), r.stableDigest(), r.stableLabels()));
        if (r.targetKind() != null) {
            e.putObject("target").put("kind", r.targetKind()).put("name", r.targetName());
        }
        e.put("startedAt", (r.startedAt() == null ? clock.instant() : r.startedAt()).toString());
        if (r.image() != null && !r.image().isBlank()) {
            e.put("image", r.image());
        }
        Submission s = analyses.submit(reader.read(e));
        if (s.created()) {
            LOG.infof("analysis=%s event=%s started by integration", s.analysisId(), r.eventId());
        }
        return store.find(s.analysisId()).orElseThrow(() -> new IllegalStateException("analysis " + s.analysisId()
                + " vanished after submission"));
    }

    /**
     * An integration call that names an analysis by its id (namespace/rollout@hash, namespace/name@checksum, a
     * Kayenta job) but asks for another template, other digests or other cohorts than the call that started it.
     * Answered 409: the first caller must not decide what is measured for everyone who comes after.
     */
    public static final class Mismatch extends ConflictException {
        public Mismatch(String message) {
            super("integration-mismatch", "Another canary under this id", message);
        }
    }

    /** The analysis found for a call's id must be the one the call describes. */
    void requireSameCanary(AnalysisRecord a, CanaryRequest r) {
        List<String> differs = new java.util.ArrayList<>();
        if (!java.util.Objects.equals(a.template(), r.template())) {
            differs.add("template " + a.template() + " (this call: " + r.template() + ")");
        }
        if (!java.util.Objects.equals(a.canaryDigest(), r.canaryDigest())) {
            differs.add("canary digest " + a.canaryDigest() + " (this call: " + r.canaryDigest() + ")");
        }
        if (!java.util.Objects.equals(a.stableDigest(), r.stableDigest())) {
            differs.add("stable digest " + a.stableDigest() + " (this call: " + r.stableDigest() + ")");
        }
        DeploymentEvent event = storedEvent(a);
        for (String cohort : List.of("canary", "stable")) {
            Cohort c = cohort.equals("canary") ? event.canary() : event.stable();
            Map<String, String> stored = new java.util.TreeMap<>(c == null ? Map.of() : c.labels());
            Map<String, String> asked = new java.util.TreeMap<>(cohort.equals("canary") ? r.canaryLabels()
                    : r.stableLabels());
            if (!stored.isEmpty() && !stored.equals(asked)) {
                differs.add(cohort + " labels " + stored + " (this call: " + asked + ")");
            }
        }
        String storedImage = event.image() == null || event.image().isBlank() ? null : event.image();
        String askedImage = r.image() == null || r.image().isBlank() ? null : r.image();
        if (!java.util.Objects.equals(storedImage, askedImage)) {
            differs.add("image " + storedImage + " (this call: " + askedImage + ")");
        }
        if (!differs.isEmpty()) {
            throw new Mismatch("analysis " + a.id() + " (" + r.eventId() + ") was started with " + String.join(", ",
                    differs) + ": an id names one canary, so every call about it must describe it the same way "
                    + "(give the new canary its own revision or wait for this analysis to end)");
        }
    }

    public Optional<AnalysisRecord> find(String analysisId) {
        return store.find(analysisId);
    }

    public Optional<AnalysisRecord> findByEventId(String eventId) {
        return store.findByEventId(eventId);
    }

    /** Stops the running analyses of this deployment (the deploy tool gave up on the canary). */
    public Optional<String> cancel(String eventId, String namespace, String service, String deploymentId) {
        ObjectNode e = json.createObjectNode();
        e.put("id", eventId);
        e.put("type", EventType.CANCELLED.wireName());
        e.put("namespace", namespace);
        e.put("service", service);
        e.put("deploymentId", deploymentId);
        return Optional.ofNullable(analyses.submit(reader.read(e)).analysisId());
    }

    /** Where the analysis stands: its verdict once stored, PENDING while running (see {@link IntegrationOutcome}). */
    public IntegrationOutcome outcome(AnalysisRecord a) {
        List<MeasurementRecord> ms = store.measurements(a.id());
        MeasurementRecord last = ms.isEmpty() ? null : ms.get(ms.size() - 1);
        IntegrationOutcome.Progress progress = new IntegrationOutcome.Progress(ms.size(), a.measurementCount(),
                last == null ? null : last.verdict(), last == null ? null : last.score());
        Standing verdict;
        String reason = a.reason();
        List<IntegrationOutcome.MetricSummary> metrics;
        if (a.verdict() != null) {
            verdict = Standing.of(a.verdict());
            metrics = a.verdictJson() == null ? List.of() : summaries(VerdictCodec.read(json, a.verdictJson()).metrics());
        } else if (a.phase().terminal()) {
            verdict = Standing.INCONCLUSIVE;
            reason = "analysis ended without a verdict (" + a.phase().name().toLowerCase() + ")"
                    + (a.reason() == null ? "" : ": " + a.reason());
            metrics = last == null ? List.of() : summaries(MeasurementCodec.read(json, last.resultJson()).metrics());
        } else {
            verdict = Standing.PENDING;
            reason = "measurement " + ms.size() + " of " + a.measurementCount() + " taken"
                    + (last == null ? "; the first window closes at " + a.startedAt().plus(a.interval())
                    : "; interim: " + last.verdict());
            metrics = last == null ? List.of() : summaries(MeasurementCodec.read(json, last.resultJson()).metrics());
        }
        return new IntegrationOutcome(verdict, a.verdict() == null ? null : a.score(), reason, a.id(), a.eventId(),
                a.phase().name(), progress, metrics);
    }

    private ObjectNode cohort(ObjectNode c, String digest, Map<String, String> labels) {
        c.put("digest", digest);
        ObjectNode l = c.putObject("labels");
        labels.forEach(l::put);
        return c;
    }

    /** The metrics of a verdict, or of a stored measurement (of a running analysis or one ended without a verdict). */
    private static List<IntegrationOutcome.MetricSummary> summaries(List<MeasurementDocument.Metric> metrics) {
        List<IntegrationOutcome.MetricSummary> out = new ArrayList<>();
        for (MeasurementDocument.Metric m : metrics == null ? List.<MeasurementDocument.Metric>of() : metrics) {
            out.add(new IntegrationOutcome.MetricSummary(m.name(), m.classification(), m.critical(), m.explanation()));
        }
        return out;
    }

    private DeploymentEvent storedEvent(AnalysisRecord a) {
        try {
            return json.readValue(a.eventJson(), DeploymentEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored event is unreadable", e);
        }
    }
}
