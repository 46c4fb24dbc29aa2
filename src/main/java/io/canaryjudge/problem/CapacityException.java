package io.canaryjudge.problem;

import java.time.Duration;

/**
 * The service runs as many analyses as it is allowed to and starts no more until one ends. Not the request's fault:
 * REST answers 503 with {@code Retry-After}; the Kafka consumer keeps the event and tries again.
 */
public class CapacityException extends RuntimeException {
    private final Duration retryAfter;

    public CapacityException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** When trying again makes sense. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
