package io.canaryjudge.judge.sequential;

/** Where one metric's sequential test stands. */
public enum MetricStatus {
    /** ln M reached ln(1/α) in the bad direction. */
    REGRESSION,
    /** The rate-ratio confidence sequence lies inside the tolerance (after the minimum duration). */
    WITHIN_TOLERANCE,
    /** Neither yet. */
    NO_EVIDENCE
}
