package io.canaryjudge.judge;

/** The decision on a canary. */
public enum Verdict {
    PROMOTE, ABORT, INCONCLUSIVE
}
