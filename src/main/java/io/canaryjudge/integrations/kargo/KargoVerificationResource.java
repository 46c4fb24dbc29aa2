package io.canaryjudge.integrations.kargo;

import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.integrations.IntegrationAnalyses;
import io.canaryjudge.integrations.IntegrationOutcome;
import io.canaryjudge.integrations.Standing;
import io.canaryjudge.verdict.AnalysisQuery;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Kargo promotion verification: the verdict canary-judge reached for one image digest of a service. A Kargo Stage's
 * {@code verification} runs an Argo Rollouts AnalysisTemplate (deploy/kargo) whose web provider asks this endpoint
 * every interval whether the Freight's digest — the canary of an analysis started by the deploy tooling's event, a
 * CDEvent, or an integration call that named the digest — was PROMOTEd. It starts nothing: it reads the newest
 * analysis of (namespace, service) whose canary is that digest and answers like every integration
 * ({@link IntegrationOutcome}): PENDING while it runs or before it exists, then PROMOTE, ABORT or INCONCLUSIVE.
 */
@Path("/api/v1/kargo/verdict")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "kargo")
@Blocking
public class KargoVerificationResource {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** How far back among a service's analyses the digest is looked for (newest first). */
    static final int LOOK_BACK = 200;

    private final AnalysisStore store;
    private final IntegrationAnalyses analyses;

    KargoVerificationResource(AnalysisStore store, IntegrationAnalyses analyses) {
        this.store = store;
        this.analyses = analyses;
    }

    @GET
    @Operation(summary = "Kargo verification: the verdict of a digest",
            description = "The newest analysis of namespace/service whose canary is the digest: {verdict: "
                    + "PENDING|PROMOTE|ABORT|INCONCLUSIVE, score, reason, analysisId, metrics}; PENDING when there is "
                    + "none yet.")
    public IntegrationOutcome get(@QueryParam("namespace") String namespace, @QueryParam("service") String service,
                       @QueryParam("digest") String digest) {
        required("namespace", namespace);
        required("service", service);
        required("digest", digest);
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidInputException("digest", "expected sha256: followed by 64 lowercase hex digits (the "
                    + "Freight's image digest, never a tag), got '" + digest + "'");
        }
        List<AnalysisRecord> recent = store.list(new AnalysisQuery(namespace, service, null, null, null, LOOK_BACK,
                null)).items();
        for (AnalysisRecord a : recent) {
            if (digest.equals(a.canaryDigest())) {
                return analyses.outcome(store.find(a.id()).orElse(a));
            }
        }
        return new IntegrationOutcome(Standing.PENDING, null, "no analysis of " + digest + " for " + namespace + "/" + service
                + " yet (among its " + recent.size() + " newest)", null, null, null, null, List.of());
    }

    private static void required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
    }
}
