package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import java.time.Instant;

/** Filter and page of a history query; null fields do not filter. Newest first. */
public record AnalysisQuery(String namespace, String service, Verdict verdict, Instant since, Instant until,
                            int limit, String cursor) {
}
