package io.canaryjudge.verdict;

/** Lifecycle phase of a stored analysis. Only RUNNING analyses take measurements. */
public enum Phase {
    RUNNING, COMPLETED, CANCELLED, SUPERSEDED, FAILED;

    public boolean terminal() {
        return this != RUNNING;
    }
}
