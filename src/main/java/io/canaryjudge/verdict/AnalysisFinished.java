package io.canaryjudge.verdict;

/**
 * CDI event fired (synchronously, on the worker thread) right after an analysis reached its verdict and the
 * verdict was stored, before publication is confirmed. Observers (e.g. rollback) must be idempotent: after a
 * restart the same analysis may be reported again by their own recovery scan, never by this event twice.
 */
public record AnalysisFinished(AnalysisRecord analysis) {
}
