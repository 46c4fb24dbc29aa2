package io.canaryjudge.cdevents;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.KafkaAcks;
import io.canaryjudge.PublicationWindow;
import io.canaryjudge.analysis.Ownership;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes each ended analysis (when {@link CdEventsConfig#publishEnabled()}) as a CDEvents
 * {@code testsuiterun.finished} CloudEvent in binary mode on channel {@code cdevents-out}, key
 * {@code namespace/service}, with the CDEvent's id as the CloudEvent id. It observes {@link AnalysisFinished} and sends
 * at once; Kafka's acknowledgement is stored ({@code cdevent_published_at}), and a sweep re-sends what was not
 * acknowledged (a broker outage, a crash in between) within {@link CdEventsConfig#resendWindow()} — the same id again,
 * bounded like the verdicts ({@link PublicationWindow}).
 */
@ApplicationScoped
class CdEventsPublisher {
    private static final Logger LOG = Logger.getLogger(CdEventsPublisher.class);
    /** CDEvents sent and not yet answered, at most; also the emitter's buffer. */
    static final int WINDOW = 64;

    private final Emitter<String> emitter;
    private final CdEventsConfig config;
    private final AnalysisStore store;
    private final ObjectMapper json;
    private final Ownership ownership;
    private final Clock clock;
    private final PublicationWindow window;
    private ScheduledExecutorService sweeper;

    CdEventsPublisher(@Channel("cdevents-out") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = WINDOW)
                      Emitter<String> emitter, CdEventsConfig config, AnalysisStore store, ObjectMapper json,
                      Ownership ownership, Clock clock) {
        this.emitter = emitter;
        this.config = config;
        this.store = store;
        this.json = json;
        this.ownership = ownership;
        this.clock = clock;
        this.window = new PublicationWindow(WINDOW, clock, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.publishEnabled()) {
            sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-cdevents-sweep"));
            long period = config.resendInterval().toMillis();
            sweeper.scheduleWithFixedDelay(this::resend, period, period, TimeUnit.MILLISECONDS);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    void onFinished(@Observes AnalysisFinished finished) {
        AnalysisRecord a = finished.analysis();
        if (!config.publishEnabled() || a.phase() == null || !a.phase().terminal()) {
            return;
        }
        // a synchronous observer: whatever goes wrong here must not reach the analysis that fired the event
        try {
            String id = TestSuiteRunFinished.id(a.id(), store.decisions(a.id()).size());
            if (window.tryClaim(id, Duration.ZERO)) {
                send(a, id);
            } // else Kafka is refusing or the window is full: the sweep sends it
        } catch (Exception e) {
            LOG.warnf("analysis=%s cdevent published=false error=%s", a.id(), e.toString());
        }
    }

    /** Re-sends the CDEvents of this replica's analyses that Kafka has not acknowledged, oldest first. */
    private void resend() {
        try {
            if (window.backingOff()) {
                return;
            }
            for (AnalysisRecord a : store.cdEventsUnpublished(clock.instant().minus(config.resendWindow()), WINDOW)) {
                if (!ownership.owns(a.key())) {
                    continue;
                }
                String id = TestSuiteRunFinished.id(a.id(), store.decisions(a.id()).size());
                if (!window.tryClaim(id, Duration.ZERO)) {
                    if (window.backingOff() || window.inFlight() >= WINDOW) {
                        return;
                    }
                    continue; // pending already
                }
                send(a, id);
            }
        } catch (RuntimeException e) {
            LOG.warnf("cdevents re-send failed: %s", e.toString());
        }
    }

    /** Sends a CDEvent whose slot is claimed; the answer frees the slot and, on success, is stored. */
    private void send(AnalysisRecord a, String id) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        try {
            String body = json.writeValueAsString(TestSuiteRunFinished.json(json, a, id));
            OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                    .withId(id)
                    .withType(TestSuiteRunFinished.TYPE)
                    .withSource(URI.create(TestSuiteRunFinished.SOURCE))
                    .withSubject(a.id())
                    .withDataContentType("application/json")
                    .withTimestamp((a.completedAt() != null ? a.completedAt() : a.updatedAt()).atZone(ZoneOffset.UTC))
                    .build();
            OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(a.key()).build();
            emitter.send(KafkaAcks.completing(Message.of(body, Metadata.of(ce, kafka)), written));
        } catch (Exception e) {
            written.completeExceptionally(e);
        }
        written.whenComplete((x, e) -> {
            try {
                if (e == null) {
                    store.markCdEventPublished(a.id(), clock.instant());
                    LOG.infof("analysis=%s cdevent=%s outcome=%s published=true", a.id(), id,
                            TestSuiteRunFinished.Outcome.of(a).wire);
                } else {
                    LOG.warnf("analysis=%s cdevent=%s published=false error=%s", a.id(), id, e.toString());
                }
            } catch (RuntimeException stored) {
                LOG.warnf("analysis=%s cdevent=%s acknowledged but not recorded: %s", a.id(), id, stored.toString());
            } finally {
                window.release(id, e);
            }
        });
    }
}
