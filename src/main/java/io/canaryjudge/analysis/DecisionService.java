package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.problem.ConflictException;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.HumanDecision;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
import io.canaryjudge.verdict.VerdictPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The recorded human gate: an approver promotes a canary the judge left INCONCLUSIVE, or aborts a running or
 * inconclusive one. Who, when and why are stored with the analysis and carried by the verdict event; a forced
 * abort triggers the rollback like an automatic one.
 */
@ApplicationScoped
public class DecisionService {
    private static final Logger LOG = Logger.getLogger(DecisionService.class);

    private final AnalysisStore store;
    private final Signatures signatures;
    private final VerdictPublisher publisher;
    private final Event<AnalysisFinished> finished;
    private final ObjectMapper json;
    private final Clock clock;

    DecisionService(AnalysisStore store, VerdictPublisher publisher, Event<AnalysisFinished> finished, ObjectMapper json,
                    Clock clock, Signatures signatures) {
        this.signatures = signatures;
        this.store = store;
        this.publisher = publisher;
        this.finished = finished;
        this.json = json;
        this.clock = clock;
    }

    /** The closed set of decisions. */
    public enum Action { APPROVE, ABORT }

    /** Why a decision cannot be taken now (the analysis is in a state it cannot change). */
    public static final class Conflict extends ConflictException {
        public Conflict(String message) {
            super("conflict", "Conflict", message);
        }
    }

    /** @return the analysis after the decision, empty when there is no such analysis */
    public Optional<AnalysisRecord> decide(String analysisId, Action action, String actor, String reason) {
        AnalysisRecord a = store.find(analysisId).orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        boolean running = !a.phase().terminal();
        boolean inconclusive = a.verdict() == Verdict.INCONCLUSIVE;
        if (action == Action.APPROVE && !inconclusive) {
            throw new Conflict("only an INCONCLUSIVE analysis can be approved; this one is " + a.phase()
                    + (a.verdict() == null ? "" : " with verdict " + a.verdict()));
        }
        if (action == Action.ABORT && !running && !inconclusive) {
            throw new Conflict("only a running or INCONCLUSIVE analysis can be aborted by hand; this one is " + a.phase()
                    + " with verdict " + a.verdict());
        }
        if (action == Action.APPROVE) {
            requireSignedCanary(a);
        }
        Instant now = clock.instant();
        Verdict verdict = action == Action.APPROVE ? Verdict.PROMOTE : Verdict.ABORT;
        Phase phase = Phase.of(verdict);
        String why = (action == Action.APPROVE ? "Approved" : "Aborted") + " by " + actor + ": " + reason
                + (a.reason() == null ? "" : " (judge: " + a.reason() + ")");
        HumanDecision d = new HumanDecision(a.id(), action.name(), actor, reason, now);
        if (!store.decide(d, phase, verdict, why, verdictJson(a, d, verdict, phase, why, now))) {
            throw new Conflict("the analysis changed meanwhile; read it again");
        }
        LOG.infof("analysis=%s decision=%s by=%s verdict=%s", a.id(), action, actor, verdict);
        AnalysisRecord done = store.find(a.id()).orElseThrow();
        publisher.publish(done);
        if (action == Action.ABORT) {
            finished.fire(new AnalysisFinished(done));
        }
        return Optional.of(done);
    }

    /** A person may overrule the metrics, not the signature policy: an unverified digest is never promoted. */
    private void requireSignedCanary(AnalysisRecord a) {
        DeploymentEvent event;
        try {
            event = json.readValue(a.eventJson(), DeploymentEvent.class);
        } catch (IOException e) {
            throw new Conflict("the analysis' stored event cannot be read, so its canary's signature cannot be checked");
        }
        SignatureCheck c = signatures.check(a.namespace(), event.image(), a.canaryDigest(), SignatureCheck.Purpose.PROMOTE);
        if (!c.allowed()) {
            throw new Conflict("not approved: the canary's image signature was not verified (" + c.reason() + ")");
        }
    }

    private String verdictJson(AnalysisRecord a, HumanDecision d, Verdict verdict, Phase phase, String reason, Instant now) {
        VerdictDocument judged = a.verdictJson() != null ? VerdictCodec.read(json, a.verdictJson()) : baseVerdict(a, now);
        VerdictDocument.Decision decision = new VerdictDocument.Decision(d.action(), d.actor(), d.decidedAt(), d.reason());
        return VerdictCodec.write(json, judged.decided(verdict, phase, reason, a.verdict(), decision));
    }

    /** The document of an analysis decided by hand while still running: no judgement yet, no score, no metrics. */
    private VerdictDocument baseVerdict(AnalysisRecord a, Instant now) {
        DeploymentEvent event;
        try {
            event = json.readValue(a.eventJson(), DeploymentEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the analysis' stored event cannot be read", e);
        }
        return new VerdictDocument(VerdictDocument.CURRENT_VERSION, a.id(), a.eventId(), a.deploymentId(),
                a.namespace(), a.service(), a.environment(), a.template(), null, null, null, null, null,
                Optional.empty(), null, new VerdictDocument.Digest(a.canaryDigest()),
                new VerdictDocument.Digest(a.stableDigest()), Optional.ofNullable(event.target()), null, null,
                a.startedAt(), now, store.measurementCount(a.id()), List.of(), null, null, Map.of());
    }
}
