package io.canaryjudge.verdict;

import java.time.Instant;

/** A recorded human decision on an analysis: approve (PROMOTE) or abort, by whom, when and why. */
public record HumanDecision(String analysisId, String action, String actor, String reason, Instant decidedAt) {
}
