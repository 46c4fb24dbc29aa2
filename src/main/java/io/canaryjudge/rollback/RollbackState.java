package io.canaryjudge.rollback;

/** Where the rollback of one ABORT stands. Every state but CLAIMED is final. */
public enum RollbackState {
    /** A replica holds the rollback (until its lease expires). */
    CLAIMED,
    /** The stable digest is back (or already was). */
    APPLIED,
    /** A safety check said no; nothing was changed. The reason says which. */
    REFUSED,
    /** Kubernetes or git kept failing; nothing or only the traffic part may have changed. The reason has the error. */
    FAILED,
    /** Every check passed; the change that would have been made is in the detail, nothing was changed. */
    DRY_RUN;

    boolean terminal() {
        return this != CLAIMED;
    }
}
