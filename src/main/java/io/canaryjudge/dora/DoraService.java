package io.canaryjudge.dora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** Facade of the DORA feature: reads judged analyses from the store and computes the four figures. */
@ApplicationScoped
public class DoraService {
    private final AnalysisStore store;
    private final RollbackTimes rollbacks;
    private final ObjectMapper json;
    private final int maxDeployments;

    @jakarta.inject.Inject
    DoraService(AnalysisStore store, RollbackTimes rollbacks, ObjectMapper json, DoraConfig config) {
        this(store, rollbacks, json, config.maxDeployments());
    }

    DoraService(AnalysisStore store, RollbackTimes rollbacks, ObjectMapper json, int maxDeployments) {
        this.store = store;
        this.rollbacks = rollbacks;
        this.json = json;
        this.maxDeployments = maxDeployments;
    }

    /**
     * Figures over [since, until) for one namespace and/or service (null: all).
     *
     * @throws TooManyDeployments when more than {@code canary.dora.max-deployments} judged analyses fall in the window
     */
    public DoraReport report(String namespace, String service, Instant since, Instant until) {
        long count = store.countJudgedSince(namespace, service, since);
        if (count > maxDeployments) {
            throw new TooManyDeployments(count + " judged analyses since " + since + (namespace == null ? "" : " in "
                    + namespace) + (service == null ? "" : " of " + service) + ", more than canary.dora.max-deployments = "
                    + maxDeployments + " that one report holds in memory: narrow the window (since) or filter by "
                    + "namespace or service");
        }
        List<AnalysisRecord> judged = store.judgedSince(namespace, service, since);
        Map<String, Instant> applied = rollbacks.appliedAt(judged.stream().map(AnalysisRecord::id).toList());
        List<Deployment> deployments = judged.stream().map(a -> new Deployment(a.id(), a.namespace(), a.service(),
                a.verdict(), a.startedAt(), a.completedAt(), commitTime(a), applied.get(a.id()))).toList();
        return DoraCalculator.compute(deployments, since, until);
    }

    /** More judged analyses in a window than one report may hold in memory: the caller narrows it (HTTP 400). */
    public static final class TooManyDeployments extends IllegalArgumentException {
        TooManyDeployments(String message) {
            super(message);
        }
    }

    /** The event's optional commitTime, as stored with the analysis (ISO text, or epoch seconds). */
    Instant commitTime(AnalysisRecord a) {
        try {
            JsonNode t = json.readTree(a.eventJson()).path("commitTime");
            if (t.isTextual()) {
                return OffsetDateTime.parse(t.asText()).toInstant();
            }
            if (t.isNumber()) {
                return Instant.ofEpochMilli(Math.round(t.asDouble() * 1000));
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // an unreadable commit time only leaves this deployment out of the lead time
            return null;
        }
    }
}
