package io.canaryjudge.metrics;

/** A query that the metric source could not answer (unreachable, timed out, rejected, or unreadable answer). */
public class MetricSourceException extends RuntimeException {
    private final boolean retryable;

    /** The message is stored and shown: any URL in it loses its userinfo. */
    public MetricSourceException(String message, boolean retryable, Throwable cause) {
        super(io.canaryjudge.Redaction.urls(message), cause);
        this.retryable = retryable;
    }

    /** True when asking again later may succeed (timeouts, 5xx, connection refused). */
    public boolean retryable() {
        return retryable;
    }
}
