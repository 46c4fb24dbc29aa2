package io.canaryjudge.cdevents;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.verdict.AnalysisQuery;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a service event that does not name the stable digest takes it from: the canary digest of the service's most
 * recent PROMOTE started no later than the event, other than the event's own analysis (so a re-delivered event finds
 * the same stable digest as the first time).
 */
@ApplicationScoped
class PromotedDigests implements ServiceEventTranslator.StableDigests {
    private final AnalysisStore store;

    PromotedDigests(AnalysisStore store) {
        this.store = store;
    }

    /** @throws io.canaryjudge.verdict.StoreException when the store does not answer (the intake retries) */
    @Override
    public Optional<String> lastPromoted(String namespace, String service, Instant notAfter, String ownEventId) {
        return store.list(new AnalysisQuery(namespace, service, Verdict.PROMOTE, null, notAfter.plusMillis(1), 2, null))
                .items().stream()
                .filter(a -> !ownEventId.equals(a.eventId()))
                .map(AnalysisRecord::canaryDigest)
                .findFirst();
    }
}
