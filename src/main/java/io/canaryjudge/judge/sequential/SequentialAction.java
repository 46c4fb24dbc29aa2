package io.canaryjudge.judge.sequential;

/** What to do after a look. */
public enum SequentialAction {
    /** A critical metric is worse than its tolerance, with anytime-valid evidence. */
    ABORT,
    /** Every critical metric is shown within its tolerance (early, after the minimum looks) or, at the planned
     *  end, has ruled out its detectable regression. */
    PROMOTE,
    /** No decision yet: keep measuring; at the maximum the caller ends INCONCLUSIVE and says what was missing. */
    CONTINUE
}
