package io.canaryjudge;

import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Outgoing messages whose broker acknowledgement completes a future: the one adapter between SmallRye's ack/nack
 * callbacks and the code that must know a record is safely written (verdicts, rollback events, dead letters).
 */
public final class KafkaAcks {

    private KafkaAcks() {
    }

    /** {@code message} completing {@code written} when Kafka acknowledges it, exceptionally when it refuses it. */
    public static <T> Message<T> completing(Message<T> message, CompletableFuture<Void> written) {
        return message
            .withAck(() -> {
                written.complete(null);
                return CompletableFuture.completedFuture(null);
            })
            .withNack(e -> {
                written.completeExceptionally(e);
                return CompletableFuture.completedFuture(null);
            });
    }
}
