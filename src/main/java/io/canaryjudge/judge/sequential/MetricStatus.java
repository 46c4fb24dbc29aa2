package io.canaryjudge.judge.sequential;

/** Where one metric's sequential tests stand after a look. */
public enum MetricStatus {
    /** The abort test crossed ln(1/α): worse than the tolerance (or than stable, without margins). */
    REGRESSION,
    /** Shown better than the tolerance: nothing anyone should be paged for. */
    WITHIN_TOLERANCE,
    /** The detectable regression is ruled out, but not shown within the tolerance. */
    RULED_OUT,
    /** Neither yet: the data is compatible with a change of detectable size. */
    NO_EVIDENCE
}
