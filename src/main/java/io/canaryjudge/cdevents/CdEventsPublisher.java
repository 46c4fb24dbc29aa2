package io.canaryjudge.cdevents;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.KafkaAcks;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Publishes each verdict (when {@link CdEventsConfig#publishEnabled()}) as a CDEvents {@code testsuiterun.finished}
 * CloudEvent in binary mode on channel {@code cdevents-out}, key {@code namespace/service}, with the CDEvent's id as
 * the CloudEvent id. It observes {@link AnalysisFinished}, so it sends once per verdict and per human decision; a
 * verdict whose send fails is logged and not re-sent (the verdict topic stays the record).
 */
@ApplicationScoped
class CdEventsPublisher {
    private static final Logger LOG = Logger.getLogger(CdEventsPublisher.class);

    private final Emitter<String> emitter;
    private final CdEventsConfig config;
    private final AnalysisStore store;
    private final ObjectMapper json;

    CdEventsPublisher(@Channel("cdevents-out") Emitter<String> emitter, CdEventsConfig config, AnalysisStore store,
                      ObjectMapper json) {
        this.emitter = emitter;
        this.config = config;
        this.store = store;
        this.json = json;
    }

    void onFinished(@Observes AnalysisFinished finished) {
        AnalysisRecord a = finished.analysis();
        if (!config.publishEnabled() || a.phase() == null || !a.phase().terminal()) {
            return;
        }
        // a synchronous observer: whatever goes wrong here must not reach the analysis that fired the event
        try {
            String id = TestSuiteRunFinished.id(a.id(), store.decisions(a.id()).size());
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
            CompletableFuture<Void> written = new CompletableFuture<>();
            written.whenComplete((x, e) -> {
                if (e == null) {
                    LOG.infof("analysis=%s cdevent=%s outcome=%s published=true", a.id(), id,
                            TestSuiteRunFinished.outcome(a));
                } else {
                    LOG.warnf("analysis=%s cdevent=%s published=false error=%s", a.id(), id, e.toString());
                }
            });
            emitter.send(KafkaAcks.completing(Message.of(body, Metadata.of(ce, kafka)), written));
        } catch (Exception e) {
            LOG.warnf("analysis=%s cdevent published=false error=%s", a.id(), e.toString());
        }
    }
}
