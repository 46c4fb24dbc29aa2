package io.canaryjudge.dora;

import io.canaryjudge.verdict.AnalysisStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Facade of the DORA feature: streams the judged analyses of a window from the store, one service at a time, into
 * the figures ({@link DoraCalculator.Accumulator}); rollback times come in one query of the window's applied ones.
 */
@ApplicationScoped
public class DoraService {
    private final AnalysisStore store;
    private final RollbackTimes rollbacks;
    private final long maxDeployments;

    @jakarta.inject.Inject
    DoraService(AnalysisStore store, RollbackTimes rollbacks, DoraConfig config) {
        this(store, rollbacks, config.maxDeployments());
    }

    DoraService(AnalysisStore store, RollbackTimes rollbacks, long maxDeployments) {
        this.store = store;
        this.rollbacks = rollbacks;
        this.maxDeployments = maxDeployments;
    }

    /**
     * Figures over [since, until) for one namespace and/or service (null: all).
     *
     * @throws TooManyDeployments when more than {@code canary.dora.max-deployments} judged analyses fall in the window
     */
    public DoraReport report(String namespace, String service, Instant since, Instant until) {
        DoraCalculator.Accumulator figures = new DoraCalculator.Accumulator(since, until);
        Map<String, Instant> applied = rollbacks.appliedSince(since);
        List<Deployment> ofService = new ArrayList<>();
        long[] read = {0};
        store.forEachJudged(namespace, service, since, j -> {
            if (++read[0] > maxDeployments) {
                throw new TooManyDeployments("more than canary.dora.max-deployments = " + maxDeployments
                        + " judged analyses since " + since + (namespace == null ? "" : " in " + namespace)
                        + (service == null ? "" : " of " + service) + ": narrow the window (since) or filter by "
                        + "namespace or service");
            }
            if (!ofService.isEmpty() && !(ofService.get(0).service().equals(j.service())
                    && ofService.get(0).namespace().equals(j.namespace()))) {
                figures.service(ofService);
                ofService.clear();
            }
            ofService.add(new Deployment(j.id(), j.namespace(), j.service(), j.verdict(), j.startedAt(), j.completedAt(),
                    j.commitTime(), applied.get(j.id())));
        });
        figures.service(ofService);
        return figures.report();
    }

    /** More judged analyses in a window than one report reads (a bound on its time): the caller narrows it (HTTP 400). */
    public static final class TooManyDeployments extends IllegalArgumentException {
        TooManyDeployments(String message) {
            super(message);
        }
    }
}
