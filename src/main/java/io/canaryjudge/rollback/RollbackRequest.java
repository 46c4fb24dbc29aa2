package io.canaryjudge.rollback;

import io.canaryjudge.event.RollbackTarget;
import java.util.Objects;

/** What to roll back, taken from the stored analysis and its frozen event. */
record RollbackRequest(
        String analysisId,
        String namespace,
        String service,
        String environment,
        RollbackTarget target,
        String canaryDigest,
        String stableDigest,
        boolean dryRun,
        String verdictUrl) {

    RollbackRequest {
        Objects.requireNonNull(analysisId, "analysisId == null");
        Objects.requireNonNull(namespace, "namespace == null");
        Objects.requireNonNull(target, "target == null");
    }

    String workload() {
        return target.kind() + " " + namespace + "/" + target.name();
    }
}
