package io.canaryjudge.metrics;

/** A query that Prometheus could not answer (unreachable, timed out, rejected, or unreadable answer). */
public final class PrometheusException extends RuntimeException {
    private final boolean retryable;

    /** The message is stored and shown: any URL in it loses its userinfo. */
    public PrometheusException(String message, boolean retryable, Throwable cause) {
        super(io.canaryjudge.Redaction.urls(message), cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
