package io.canaryjudge.metrics;

/** A query that Prometheus could not answer (unreachable, timed out, rejected, or unreadable answer). */
public final class PrometheusException extends RuntimeException {
    private final boolean retryable;

    public PrometheusException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
