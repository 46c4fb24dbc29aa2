package io.canaryjudge.judge.sequential;

/** What to do after a look. */
public enum SequentialAction {
    /** A critical metric crossed ln(1/α) in its bad direction. */
    ABORT,
    /** Early: every metric's rate-ratio interval lies inside its tolerance after the minimum duration. */
    PROMOTE,
    /** No decision yet; at the template's maximum duration the caller promotes ("no evidence of regression at α"). */
    CONTINUE
}
