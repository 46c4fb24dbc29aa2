package io.canaryjudge.verdict;

/** The database failed; the caller decides whether to retry (it is never an outcome). */
public final class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super("store: " + cause.getMessage(), cause);
    }
}
