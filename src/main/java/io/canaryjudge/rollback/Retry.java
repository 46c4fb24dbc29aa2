package io.canaryjudge.rollback;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import org.eclipse.jgit.api.errors.TransportException;
import org.jboss.logging.Logger;

/** Retries of Kubernetes and git operations: transient faults only, exponential backoff, then the last error. */
final class Retry {
    private static final Logger LOG = Logger.getLogger(Retry.class);

    private final int retries;
    private final Duration backoff;

    Retry(int retries, Duration backoff) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries < 0");
        }
        this.retries = retries;
        this.backoff = backoff;
    }

    <T> T call(String what, Callable<T> action) throws Exception {
        long wait = backoff.toMillis();
        for (int attempt = 0; ; attempt++) {
            try {
                return action.call();
            } catch (Exception e) {
                if (attempt >= retries || !transientFault(e)) {
                    throw e;
                }
                LOG.warnf("operation=%s attempt=%d error=%s retryIn=%dms", what, attempt + 1, e, wait);
                Thread.sleep(wait);
                wait *= 2;
            }
        }
    }

    /**
     * Timeouts, connection failures, 5xx, 429, and 409/422 (the object changed under a guarded patch: reading it
     * again decides anew, which is safe because every strategy reads before it writes).
     */
    static boolean transientFault(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k) {
                int code = k.getCode();
                if (code == 0 || code >= 500 || code == 429 || code == 409 || code == 422) {
                    return true;
                }
                if (code >= 400) {
                    return false;
                }
            }
            if (t instanceof TransportException || t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
