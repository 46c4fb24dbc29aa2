package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.KafkaAcks;
import io.canaryjudge.PublicationWindow;
import io.canaryjudge.verdict.AnalysisRecord;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes rollback outcomes as CDEvents CloudEvents (binary mode) on the verdict topic, key
 * {@code namespace/service}, CloudEvent id {@code rollback-<analysisId>}: a re-publication after a crash carries the
 * same id. CloudEvent subject and time are the CDEvent's {@code subject.id} and {@code timestamp}, as the CDEvents
 * CloudEvents binding requires. Channel {@code rollback-events} is configured onto the same topic as the verdicts.
 *
 * <p>Bounded like the verdicts ({@link PublicationWindow}): at most {@link #WINDOW} events unanswered (the emitter's
 * buffer), never one sent again while its send is pending, none while Kafka refuses them. An outcome not sent now
 * stays unpublished; the recovery scan announces it again.
 */
@ApplicationScoped
class RollbackPublisher implements Announcer {
    private static final Logger LOG = Logger.getLogger(RollbackPublisher.class);
    /** Rollback events sent and not yet acknowledged or refused, at most; also the emitter's buffer. */
    static final int WINDOW = 16;

    private final Emitter<String> emitter;
    private final RollbackStore store;
    private final RollbackConfig config;
    private final ObjectMapper json;
    private final Clock clock;
    private final PublicationWindow window;
    /** Acknowledgements are stored here, off Kafka's network thread. */
    private final java.util.concurrent.ExecutorService answers = Executors.newSingleThreadExecutor(
            DaemonThreads.named("canary-rollback-acks"));

    RollbackPublisher(@Channel("rollback-events") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = WINDOW)
                      Emitter<String> emitter, RollbackStore store, RollbackConfig config, ObjectMapper json,
                      Clock clock) {
        this.emitter = emitter;
        this.store = store;
        this.config = config;
        this.json = json;
        this.clock = clock;
        this.window = new PublicationWindow(WINDOW, clock, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** Never throws: a send that cannot happen now leaves the outcome unpublished for the recovery scan. */
    @Override
    public void announce(AnalysisRecord a, RollbackStatus s) {
        String id = RolledBackEvent.id(a.id());
        if (!window.tryClaim(id, Duration.ZERO)) {
            LOG.infof("analysis=%s rollback=%s published=false deferred=true", a.id(), s.state());
            return;
        }
        try {
            // read again after the claim: a send acknowledged meanwhile marked it published before its release
            if (store.find(a.id()).map(RollbackStatus::publishedAt).isPresent()) {
                window.cancel(id);
                return;
            }
            send(a, s, id);
        } catch (RuntimeException e) {
            window.release(id, e);
            LOG.warnf("analysis=%s rollback=%s published=false error=%s", a.id(), s.state(), e.toString());
        }
    }

    private void send(AnalysisRecord a, RollbackStatus s, String id) {
        String url = config.verdictBaseUrl().map(b -> b.replaceAll("/+$", "") + "/api/v1/analyses/" + a.id()).orElse(null);
        String body = RolledBackEvent.json(json, a, s, url).toString();
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(id)
                .withType(RolledBackEvent.TYPE)
                .withSource(URI.create(RolledBackEvent.SOURCE))
                // the CDEvents CloudEvents binding: the CloudEvent subject is the CDEvent's subject.id
                .withSubject(a.key())
                .withDataContentType("application/json")
                .withTimestamp((s.finishedAt() != null ? s.finishedAt() : s.claimedAt()).atZone(ZoneOffset.UTC))
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder().withKey(a.key()).build();
        CompletableFuture<Void> written = new CompletableFuture<>();
        written.whenCompleteAsync((x, e) -> {
            try {
                if (e == null) {
                    store.markPublished(a.id(), clock.instant());
                    LOG.infof("analysis=%s rollback=%s published=true", a.id(), s.state());
                } else {
                    LOG.warnf("analysis=%s rollback=%s published=false error=%s", a.id(), s.state(), e.toString());
                }
            } finally {
                window.release(id, e);
            }
        }, answers);
        emitter.send(KafkaAcks.completing(Message.of(body, Metadata.of(ce, kafka)), written));
    }

    /** The acknowledgement thread ends with the application (a restarted application must not keep the old one). */
    @jakarta.annotation.PreDestroy
    void stopAnswers() {
        answers.shutdown();
    }
}
