package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.KafkaAcks;
import io.canaryjudge.verdict.AnalysisRecord;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Publishes rollback outcomes as CDEvents CloudEvents (binary mode) on the verdict topic, key
 * {@code namespace/service}, CloudEvent id {@code rollback-<analysisId>}: a re-publication after a crash carries the
 * same id. CloudEvent subject and time are the CDEvent's {@code subject.id} and {@code timestamp}, as the CDEvents
 * CloudEvents binding requires. Channel {@code rollback-events} is configured onto the same topic as the verdicts.
 */
@ApplicationScoped
class RollbackPublisher implements Announcer {
    private static final Logger LOG = Logger.getLogger(RollbackPublisher.class);

    private final Emitter<String> emitter;
    private final RollbackStore store;
    private final RollbackConfig config;
    private final ObjectMapper json;
    private final Clock clock;

    RollbackPublisher(@Channel("rollback-events") Emitter<String> emitter, RollbackStore store, RollbackConfig config,
                      ObjectMapper json, Clock clock) {
        this.emitter = emitter;
        this.store = store;
        this.config = config;
        this.json = json;
        this.clock = clock;
    }

    @Override
    public void announce(AnalysisRecord a, RollbackStatus s) {
        String url = config.verdictBaseUrl().map(b -> b.replaceAll("/+$", "") + "/api/v1/analyses/" + a.id()).orElse(null);
        String body = RolledBackEvent.json(json, a, s, url).toString();
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(RolledBackEvent.id(a.id()))
                .withType(RolledBackEvent.TYPE)
                .withSource(URI.create(RolledBackEvent.SOURCE))
                // the CDEvents CloudEvents binding: the CloudEvent subject is the CDEvent's subject.id
                .withSubject(a.key())
                .withDataContentType("application/json")
                .withTimestamp((s.finishedAt() != null ? s.finishedAt() : s.claimedAt()).atZone(ZoneOffset.UTC))
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder().withKey(a.key()).build();
        CompletableFuture<Void> written = new CompletableFuture<>();
        written.whenComplete((x, e) -> {
            if (e == null) {
                store.markPublished(a.id(), clock.instant());
                LOG.infof("analysis=%s rollback=%s published=true", a.id(), s.state());
            } else {
                LOG.warnf("analysis=%s rollback=%s published=false error=%s", a.id(), s.state(), e.toString());
            }
        });
        emitter.send(KafkaAcks.completing(Message.of(body, Metadata.of(ce, kafka)), written));
    }
}
