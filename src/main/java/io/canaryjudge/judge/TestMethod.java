package io.canaryjudge.judge;

/** How the p-value and interval of a rank-sum test are computed. */
public enum TestMethod {
    /** R's rule: exact iff both samples have fewer than 50 values and there are no ties. */
    AUTO,
    /** The exact null distribution of U (falls back to ASYMPTOTIC when there are ties, as R does). */
    EXACT,
    /** Normal approximation with tie and continuity correction. */
    ASYMPTOTIC
}
