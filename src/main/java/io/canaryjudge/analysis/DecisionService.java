package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.problem.ConflictException;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.HumanDecision;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
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
        boolean inconclusive = "INCONCLUSIVE".equals(a.verdict());
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
        String verdict = action == Action.APPROVE ? "PROMOTE" : "ABORT";
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

    private String verdictJson(AnalysisRecord a, HumanDecision d, String verdict, Phase phase, String reason, Instant now) {
        try {
            ObjectNode v = a.verdictJson() != null ? (ObjectNode) json.readTree(a.verdictJson()) : baseVerdict(a, now);
            v.put("verdict", verdict);
            v.put("phase", phase.name());
            v.put("reason", reason);
            if (a.verdict() != null) {
                v.put("judgeVerdict", a.verdict());
            }
            ObjectNode decision = v.putObject("decision");
            decision.put("action", d.action());
            decision.put("by", d.actor());
            decision.put("at", d.decidedAt().toString());
            decision.put("reason", d.reason());
            return json.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode baseVerdict(AnalysisRecord a, Instant now) throws JsonProcessingException {
        JsonNode event = json.readTree(a.eventJson());
        ObjectNode v = VerdictDocument.head(json, a, a.template());
        v.putNull("score");
        v.putObject("canary").put("digest", a.canaryDigest());
        v.putObject("stable").put("digest", a.stableDigest());
        v.set("target", event.path("target"));
        v.put("startedAt", a.startedAt().toString());
        v.put("completedAt", now.toString());
        v.put("measurements", store.measurementCount(a.id()));
        v.putArray("metrics");
        return v;
    }
}
