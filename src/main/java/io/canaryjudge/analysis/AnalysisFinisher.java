package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.SignatureMode;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementDocument;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
import io.canaryjudge.verdict.VerdictPublisher;
import jakarta.enterprise.event.Event;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Ends an analysis the engine ran: checks the canary's signature before a PROMOTE, writes the verdict document with
 * the analysis' lease (fenced), and hands the ended analysis to the publisher and to the observers of
 * {@link AnalysisFinished}; hands the publisher again the verdicts Kafka did not acknowledge.
 */
final class AnalysisFinisher {
    private static final Logger LOG = Logger.getLogger(AnalysisFinisher.class);

    private final AnalysisStore store;
    private final Signatures signatures;
    private final VerdictPublisher publisher;
    private final Event<AnalysisFinished> finished;
    private final HeldLeases leases;
    private final Ownership ownership;
    private final ObjectMapper json;
    private final Clock clock;

    AnalysisFinisher(AnalysisStore store, Signatures signatures, VerdictPublisher publisher,
                  Event<AnalysisFinished> finished, HeldLeases leases, Ownership ownership, ObjectMapper json,
                  Clock clock) {
        this.store = store;
        this.signatures = signatures;
        this.publisher = publisher;
        this.finished = finished;
        this.leases = leases;
        this.ownership = ownership;
        this.json = json;
        this.clock = clock;
    }

    /**
     * How the last measurement ended its analysis.
     *
     * @param score fixed mode's score, NaN when there is none
     */
    record Ending(Phase phase, Verdict verdict, double score, String reason) {
    }

    /**
     * Writes the verdict of an analysis whose final measurement is stored. Returns false when another replica claimed
     * the analysis, so nothing was written.
     */
    boolean finish(AnalysisRecord a, DeploymentEvent event, AnalysisTemplate template, Ending ending,
                   List<MeasurementDocument.Metric> metrics, Instant now) {
        SignatureCheck signature = null;
        if (ending.verdict() == Verdict.PROMOTE) {
            signature = signatures.check(event.namespace(), event.image(), event.canary().digest(),
                    SignatureCheck.Purpose.PROMOTE);
            if (!signature.allowed()) {
                // an unverified digest is never promoted: INCONCLUSIVE (a person decides) or ABORT, as configured
                Verdict v = signatures.unsignedVerdict();
                ending = new Ending(Phase.of(v), v, ending.score(), "Not promoted: the canary's image signature "
                        + "was not verified (" + signature.reason() + "). The metrics alone said PROMOTE: "
                        + ending.reason());
            }
        }
        boolean fast = template.sequentialMode() && template.sequential().fastMode();
        VerdictDocument v = new VerdictDocument(VerdictDocument.CURRENT_VERSION, a.id(), a.eventId(), a.deploymentId(),
                a.namespace(), a.service(), a.environment(), template.name(), ending.verdict(), ending.phase(),
                template.sequentialMode() ? "sequential" : null, fast ? Boolean.TRUE : null,
                fast ? SequentialStep.asymptotic(template) : null,
                Optional.ofNullable(MeasurementPipeline.finite(ending.score())), ending.reason(),
                new VerdictDocument.Digest(event.canary().digest()), new VerdictDocument.Digest(event.stable().digest()),
                Optional.ofNullable(event.target()), event.image(),
                signature != null && signature.mode() != SignatureMode.OFF ? signature : null, a.startedAt(), now,
                store.measurementCount(a.id()), slim(metrics), null, null, Map.of());
        AnalysisStore.Lease lease = leases.forVerdict(a.id());
        if (lease == null) {
            return false;
        }
        if (store.finish(a.id(), ending.phase(), ending.verdict(),
                MeasurementPipeline.finite(ending.score()), ending.reason(), VerdictCodec.write(json, v), now, lease)) {
            LOG.infof("analysis=%s service=%s phase=%s verdict=%s score=%s", a.id(), a.key(), ending.phase(),
                    ending.verdict(), ending.score());
            published(a.id());
        }
        return true;
    }

    /** The last measurement's metrics as the verdict carries them: without each cohort's raw values. */
    private List<MeasurementDocument.Metric> slim(List<MeasurementDocument.Metric> metrics) {
        List<MeasurementDocument.Metric> slim = new ArrayList<>();
        for (MeasurementDocument.Metric m : metrics) {
            ObjectNode copy = json.valueToTree(m);
            for (String cohort : List.of("canary", "stable")) {
                if (copy.get(cohort) instanceof ObjectNode c) {
                    c.remove(List.of("values", "times"));
                }
            }
            slim.add(json.convertValue(copy, MeasurementDocument.Metric.class));
        }
        return slim;
    }

    /**
     * A stored analysis whose template or event document cannot be read any more (written by another version,
     * edited by hand): it proved nothing, so it ends ERROR with verdict INCONCLUSIVE and says why, instead of being
     * retried forever.
     */
    void finishUnreadable(AnalysisRecord a, Exception e) {
        Instant now = clock.instant();
        String reason = "The stored analysis cannot be read (its template or event document): "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ". It proved nothing: INCONCLUSIVE, "
                + "a person decides.";
        VerdictDocument v = VerdictDocument.ended(a, Verdict.INCONCLUSIVE, Phase.ERROR, reason, now);
        try {
            if (store.finish(a.id(), Phase.ERROR, v.verdict(), null, reason, VerdictCodec.write(json, v), now)) {
                LOG.errorf("analysis=%s service=%s phase=ERROR unreadable: %s", a.id(), a.key(), e.getMessage());
                published(a.id());
            }
        } catch (RuntimeException failed) {
            LOG.errorf(failed, "analysis=%s could not be ended after it proved unreadable", a.id());
        }
    }

    /**
     * Hands the unpublished verdicts of analyses this replica owns that completed before {@code before} to the
     * publisher, oldest first; it sends them within its bounded window, never one that is pending already.
     */
    void resendUnpublished(Instant before) {
        List<AnalysisRecord> unpublished = store.unpublished();
        List<AnalysisRecord> ready = new ArrayList<>();
        for (AnalysisRecord a : unpublished) {
            if (a.completedAt() != null && a.completedAt().isBefore(before) && ownership.owns(a.key())) {
                ready.add(a);
            }
        }
        publisher.resend(ready, unpublished.size());
    }

    /** Publishes an ended analysis as stored, and tells its observers. */
    void published(String id) {
        store.find(id).ifPresent(this::published);
    }

    /** Publishes an ended analysis, and tells its observers. */
    void published(AnalysisRecord done) {
        publisher.publish(done);
        finished.fire(new AnalysisFinished(done));
    }
}
