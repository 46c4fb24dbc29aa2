package io.canaryjudge.verdict;

import io.canaryjudge.KafkaAcks;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Publishes verdicts as CloudEvents (binary mode) on {@code canary-verdicts}, key {@code namespace/service}.
 * The CloudEvent id is derived from the analysis id, so a re-publication after a crash carries the same id
 * and consumers can deduplicate. The analysis is marked published only once the broker acknowledged it.
 */
@ApplicationScoped
public class VerdictPublisher {
    public static final String VERDICT_TYPE = "io.canaryjudge.verdict.v1";
    private static final Logger LOG = Logger.getLogger(VerdictPublisher.class);
    private static final URI SOURCE = URI.create("/canary-judge");

    private final Emitter<String> emitter;
    private final AnalysisStore store;
    private final Clock clock;

    VerdictPublisher(@Channel("canary-verdicts") Emitter<String> emitter, AnalysisStore store, Clock clock) {
        this.emitter = emitter;
        this.store = store;
        this.clock = clock;
    }

    /** Sends the stored verdict of a completed analysis. */
    public CompletionStage<Void> publish(AnalysisRecord a) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        // A human decision re-publishes the analysis with a new verdict: a new CloudEvent id per decision, stable
        // across re-publication of that same decision.
        int decisions = store.decisions(a.id()).size();
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId("verdict-" + a.id() + (decisions == 0 ? "" : "-decision-" + decisions))
                .withType(VERDICT_TYPE)
                .withSource(SOURCE)
                .withSubject(a.id())
                .withDataContentType("application/json")
                .withTimestamp(a.completedAt().atZone(ZoneOffset.UTC))
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder().withKey(a.key()).build();
        emitter.send(KafkaAcks.completing(Message.of(a.verdictJson(), Metadata.of(ce, kafka)), written));
        return written.whenComplete((x, e) -> {
            if (e == null) {
                store.markPublished(a.id(), clock.instant());
                LOG.infof("analysis=%s verdict=%s published=true", a.id(), a.verdict());
            } else {
                LOG.warnf("analysis=%s verdict=%s published=false error=%s", a.id(), a.verdict(), e.toString());
            }
        });
    }
}
