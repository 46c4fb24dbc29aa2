package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.DeploymentEvents;
import io.canaryjudge.event.EventType;
import io.canaryjudge.event.InvalidEventException;
import io.canaryjudge.event.Submission;
import io.canaryjudge.problem.CapacityException;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.TemplateRepository;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Facade of the analysis feature: accepts validated events from any intake. The event id is the
 * idempotency key; a new start for the same namespace/service supersedes the running analysis; a
 * cancellation stops it.
 */
@ApplicationScoped
public class AnalysisService implements DeploymentEvents {
    private static final Logger LOG = Logger.getLogger(AnalysisService.class);

    private final AnalysisStore store;
    private final AnalysisEngine engine;
    private final TemplateRepository templates;
    private final ObjectMapper json;
    private final Clock clock;
    private final Ownership ownership;
    private final AnalysisConfig config;
    private final Counter atCapacity;

    AnalysisService(AnalysisStore store, AnalysisEngine engine, TemplateRepository templates, ObjectMapper json,
                    Clock clock, Ownership ownership, AnalysisConfig config, MeterRegistry registry) {
        this.ownership = ownership;
        this.config = config;
        this.atCapacity = Counter.builder("canary.analysis.refused.at.capacity")
                .description("New analyses refused (REST 503) or held back (Kafka) because this replica ran "
                        + "canary.analysis.max-in-flight analyses")
                .register(registry);
        registry.gauge("canary.analysis.max.in.flight", config, AnalysisConfig::maxInFlight);
        this.store = store;
        this.engine = engine;
        this.templates = templates;
        this.json = json;
        this.clock = clock;
    }

    /** Stores (once per event id) and schedules the analysis; returns when it is durably stored. */
    @Override
    public Submission submit(DeploymentEvent event) {
        if (event.type() == EventType.CANCELLED) {
            return cancel(event);
        }
        AnalysisTemplate template = templates.find(event.template())
                .orElseThrow(() -> new InvalidEventException("template", "unknown analysis template '" + event.template() + "'"));
        refuseBeyondCapacity(event);
        Instant now = clock.instant();
        AnalysisRecord a = new AnalysisRecord(UUID.randomUUID().toString(), event.id(), event.deploymentId(),
                event.namespace(), event.service(), event.environment(), template.name(), event.canary().digest(),
                event.stable().digest(), write(event), write(template), event.startedAt(), template.interval(),
                template.count(), Phase.PENDING, null, null, null, null, now, now, null, null);
        // the new analysis and the end of the ones it supersedes are one transaction
        String reason = "superseded by analysis " + a.id() + " (event " + event.id() + ")";
        AnalysisStore.Insert insert = store.insertSuperseding(a, reason, now, old -> cancelled(old, reason, now));
        if (!insert.created()) {
            LOG.infof("event=%s duplicate of analysis=%s", event.id(), insert.analysis().id());
            return new Submission(insert.analysis().id(), false, insert.analysis().phase().name());
        }
        for (String old : insert.superseded()) {
            engine.released(old);
            LOG.infof("analysis=%s phase=CANCELLED superseded-by=%s", old, a.id());
        }
        LOG.infof("analysis=%s event=%s service=%s template=%s phase=PENDING", a.id(), event.id(), event.key(),
                template.name());
        if (ownership.owns(a.key())) {
            engine.schedule(a, 1);
        } // else the replica owning the key's partition picks it up at its next sweep
        return new Submission(a.id(), true, Phase.PENDING.name());
    }

    /**
     * A new analysis this replica would run while it already runs {@code max-in-flight}: refused (a repeated event id
     * still finds its analysis). The limit is per replica, like the measurement workers it protects.
     */
    private void refuseBeyondCapacity(DeploymentEvent event) {
        int max = config.maxInFlight();
        if (engine.inFlight() >= max && ownership.owns(event.key()) && store.findByEventId(event.id()).isEmpty()) {
            atCapacity.increment();
            throw new CapacityException("this replica runs " + engine.inFlight() + " analyses, its limit "
                    + "(canary.analysis.max-in-flight=" + max + "): the analysis of event " + event.id()
                    + " starts when one ends", config.sweepInterval());
        }
    }

    private Submission cancel(DeploymentEvent event) {
        Instant now = clock.instant();
        String last = null;
        for (AnalysisRecord a : store.running(event.namespace(), event.service())) {
            if (event.deploymentId() == null || event.deploymentId().equals(a.deploymentId())) {
                String reason = "cancelled by event " + event.id();
                if (store.finish(a.id(), Phase.CANCELLED, null, null, reason, cancelled(a, reason, now), now)) {
                    engine.released(a.id());
                    LOG.infof("analysis=%s phase=CANCELLED event=%s", a.id(), event.id());
                    last = a.id();
                }
            }
        }
        return new Submission(last, false, Phase.CANCELLED.name());
    }

    /**
     * The document of an analysis that ends CANCELLED, published like a verdict (type
     * {@code io.canaryjudge.analysis.cancelled.v1}): whoever waits for this canary's verdict learns that none will come
     * and why.
     */
    private String cancelled(AnalysisRecord a, String reason, Instant at) {
        return VerdictCodec.write(json, VerdictDocument.ended(a, null, Phase.CANCELLED, reason, at));
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
