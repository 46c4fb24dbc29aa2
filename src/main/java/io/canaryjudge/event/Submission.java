package io.canaryjudge.event;

/** What became of a submitted event: the analysis it maps to and whether this submission created it. */
public record Submission(String analysisId, boolean created, String phase) {
}
