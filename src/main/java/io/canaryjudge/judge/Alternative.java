package io.canaryjudge.judge;

/** The alternative hypothesis of a rank-sum test, stated for the canary against the stable cohort. */
public enum Alternative {
    /** The canary's distribution is shifted in either direction. */
    TWO_SIDED,
    /** The canary is stochastically greater than the stable cohort. */
    GREATER,
    /** The canary is stochastically less than the stable cohort. */
    LESS
}
