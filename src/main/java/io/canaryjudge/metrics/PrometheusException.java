package io.canaryjudge.metrics;

/** A query that Prometheus could not answer (unreachable, timed out, rejected, or unreadable answer). */
public final class PrometheusException extends MetricSourceException {

    /** The message is stored and shown: any URL in it loses its userinfo. */
    public PrometheusException(String message, boolean retryable, Throwable cause) {
        super(message, retryable, cause);
    }
}
