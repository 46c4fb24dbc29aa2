package io.canaryjudge.intake;

import io.canaryjudge.KafkaAcks;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.DeploymentEvents;
import io.canaryjudge.event.EventReader;
import io.canaryjudge.event.InvalidEventException;
import io.canaryjudge.event.Submission;
import io.canaryjudge.problem.CapacityException;
import io.canaryjudge.verdict.StoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

/**
 * Consumes {@code deployments}. A record is acknowledged (its offset may be committed) only after its
 * analysis is stored or after it is safely on {@code deployments.dlq} with a {@code reason} header —
 * nothing is silently dropped and the consumer always moves on.
 */
@ApplicationScoped
public class DeploymentConsumer {
    private static final Logger LOG = Logger.getLogger(DeploymentConsumer.class);

    private final EventReader reader;
    private final DeploymentEvents analyses;
    private final Emitter<byte[]> dlq;
    private final MeterRegistry registry;

    DeploymentConsumer(EventReader reader, DeploymentEvents analyses,
                       @Channel("deployments-dlq") Emitter<byte[]> dlq, MeterRegistry registry) {
        this.reader = reader;
        this.analyses = analyses;
        this.dlq = dlq;
        this.registry = registry;
    }

    @Incoming("deployments")
    @Blocking(ordered = true)
    public CompletionStage<Void> consume(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> meta = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        Map<String, String> headers = headers(meta);
        byte[] value = message.getPayload();
        try {
            // reading may consult the store too (a CDEvent without a stable digest takes the last promoted one)
            DeploymentEvent event = untilStoreAnswers(() -> reader.read(value, headers), meta == null ? "record"
                    : "record=" + meta.getTopic() + "/" + meta.getPartition() + "/" + meta.getOffset());
            Submission s = untilStoreAnswers(() -> analyses.submit(event), "event=" + event.id());
            registry.counter("canary.intake.events", "result", s.created() ? "accepted" : "duplicate").increment();
            return message.ack();
        } catch (InvalidEventException e) {
            registry.counter("canary.intake.events", "result", "dead-lettered").increment();
            return deadLetter(message, meta, value, "invalid: " + e.getMessage());
        }
    }

    /**
     * The store being down or this replica being at capacity is not the event's fault: keep the event (no ack, no dead
     * letter) and retry with backoff until the call succeeds. Later events wait behind it, so the order per partition
     * is kept.
     */
    private <T> T untilStoreAnswers(Supplier<T> call, String what) {
        long backoff = 500;
        while (true) {
            try {
                return call.get();
            } catch (CapacityException e) {
                // back-pressure: this replica runs all the analyses it may; the event waits (unacknowledged), and
                // so do the later ones of its partition, until an analysis ends
                registry.counter("canary.intake.capacity.waits").increment();
                LOG.infof("%s waits: %s", what, e.getMessage());
                pause(e.retryAfter().toMillis(), e);
            } catch (StoreException e) {
                registry.counter("canary.intake.store.retries").increment();
                LOG.warnf("%s store unavailable, retrying in %dms: %s", what, backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 15_000);
            }
        }
    }

    private static void pause(long millis, RuntimeException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    private CompletionStage<Void> deadLetter(Message<byte[]> message, IncomingKafkaRecordMetadata<?, ?> meta,
                                             byte[] value, String reason) {
        String bounded = reason.length() > 2000 ? reason.substring(0, 2000) + "..." : reason;
        Headers headers = new RecordHeaders();
        headers.add("reason", bounded.getBytes(StandardCharsets.UTF_8));
        Object key = null;
        if (meta != null) {
            headers.add("original-topic", meta.getTopic().getBytes(StandardCharsets.UTF_8));
            headers.add("original-partition", Integer.toString(meta.getPartition()).getBytes(StandardCharsets.UTF_8));
            headers.add("original-offset", Long.toString(meta.getOffset()).getBytes(StandardCharsets.UTF_8));
            for (Header h : meta.getHeaders()) {
                headers.add(h);
            }
            key = meta.getKey();
        }
        LOG.warnf("dead-letter topic=%s partition=%s offset=%s reason=%s", meta == null ? null : meta.getTopic(),
                meta == null ? null : meta.getPartition(), meta == null ? null : meta.getOffset(), bounded);
        CompletableFuture<Void> sent = new CompletableFuture<>();
        OutgoingKafkaRecordMetadata<Object> out = OutgoingKafkaRecordMetadata.builder().withKey(key).withHeaders(headers).build();
        dlq.send(KafkaAcks.completing(Message.of(value == null ? new byte[0] : value, Metadata.of(out)), sent));
        // Acknowledge the original only once the dead letter is safely written.
        return sent.thenCompose(x -> message.ack());
    }

    private static Map<String, String> headers(IncomingKafkaRecordMetadata<?, ?> meta) {
        Map<String, String> out = new HashMap<>();
        if (meta != null) {
            for (Header h : meta.getHeaders()) {
                if (h.value() != null) {
                    out.put(h.key().toLowerCase(), new String(h.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
