package io.canaryjudge.integrations.argo;

import io.canaryjudge.judge.Verdict;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.canaryjudge.event.TargetKind;
import io.canaryjudge.integrations.CanaryRequest;
import io.canaryjudge.integrations.Fingerprints;
import io.canaryjudge.integrations.IntegrationAnalyses;
import io.canaryjudge.integrations.IntegrationOutcome;
import io.canaryjudge.integrations.IntegrationsConfig;
import io.canaryjudge.integrations.Selectors;
import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.verdict.AnalysisRecord;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The Argo Rollouts {@code web} metric provider. Argo calls it synchronously every interval; each call starts or
 * finds the analysis of (namespace, rollout, canary hash or digest[, revision]) and answers 200 at once with the
 * verdict so far. "Not ready yet" is {@code PENDING} with 200, never an error status: Argo counts any non-2xx as
 * an Error and aborts after a few. Bad parameters are a configuration error and answer 400.
 */
@Path("/api/v1/argo/verdict")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "argo-rollouts")
@Blocking
public class ArgoWebResource {
    private static final String HASH = "[a-z0-9]{1,63}";

    private final IntegrationAnalyses analyses;
    private final IntegrationsConfig config;
    private final ObjectMapper json;
    private final Clock clock;
    private static final Logger LOG = Logger.getLogger(ArgoWebResource.class);

    ArgoWebResource(IntegrationAnalyses analyses, IntegrationsConfig config, ObjectMapper json, Clock clock) {
        this.clock = clock;
        this.analyses = analyses;
        this.config = config;
        this.json = json;
    }

    @GET
    @Operation(summary = "Argo web provider (GET)", description = "Starts or finds the analysis of this rollout's "
            + "canary and answers {verdict: PENDING|PROMOTE|ABORT|INCONCLUSIVE, score, reason, metrics}.")
    public IntegrationOutcome get(@QueryParam("namespace") String namespace, @QueryParam("rollout") String rollout,
                       @QueryParam("service") String service, @QueryParam("template") String template,
                       @QueryParam("canaryHash") String canaryHash, @QueryParam("stableHash") String stableHash,
                       @QueryParam("canaryDigest") String canaryDigest, @QueryParam("stableDigest") String stableDigest,
                       @QueryParam("canaryLabels") String canaryLabels, @QueryParam("stableLabels") String stableLabels,
                       @QueryParam("startedAt") String startedAt, @QueryParam("revision") String revision,
                       @QueryParam("rollback") Boolean rollback, @QueryParam("image") String image) {
        return answer(new ArgoWebRequest(namespace, rollout, service, template, canaryHash, stableHash, canaryDigest,
                stableDigest, text(canaryLabels), text(stableLabels), startedAt, revision, rollback, image));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @RequestBody(content = @Content(schema = @Schema(implementation = ArgoWebRequest.class)))
    @Operation(summary = "Argo web provider (POST)", description = "Same as GET with the parameters as a JSON body "
            + "(Argo's jsonBody or body); the Content-Type header may be missing.")
    public IntegrationOutcome post(byte[] body) {
        ArgoWebRequest req;
        try {
            req = body == null || body.length == 0 ? null : json.readValue(body, ArgoWebRequest.class);
        } catch (IOException e) {
            throw new InvalidInputException("$", "expected a JSON object of the web provider parameters: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (req == null) {
            throw new InvalidInputException("$", "a JSON object with namespace, rollout and the cohorts is required");
        }
        return answer(req);
    }

    private IntegrationOutcome answer(ArgoWebRequest r) {
        return analyses.outcome(analyses.startOrFind(attempt(toCanary(r))));
    }

    /**
     * The request of the current attempt at this canary: the first (event id {@code argo:ns/rollout@hash}), or, once an
     * attempt ended ABORT longer than {@code retry-after-abort} ago, the next one ({@code …:attempt-2}, …) — a retried
     * rollout gets a fresh analysis instead of finding the old ABORT for ever.
     */
    CanaryRequest attempt(CanaryRequest first) {
        String id = first.eventId();
        int n = 1;
        Optional<AnalysisRecord> latest = analyses.findByEventId(id);
        while (latest.isPresent()) {
            Optional<AnalysisRecord> next = analyses.findByEventId(attemptId(first, n + 1));
            if (next.isEmpty()) {
                break;
            }
            latest = next;
            n++;
        }
        if (latest.isEmpty()) {
            return first;
        }
        AnalysisRecord a = latest.get();
        boolean retried = a.verdict() == Verdict.ABORT && a.phase().terminal()
                && !clock.instant().isBefore(decidedAt(a).plus(config.argo().retryAfterAbort()));
        if (retried) {
            n++;
            LOG.infof("analysis=%s ended ABORT at %s: a call now is a retry of the rollout, attempt %d", a.id(),
                    decidedAt(a), n);
        }
        return n == 1 ? first : first.withEventId(attemptId(first, n));
    }

    private static String attemptId(CanaryRequest first, int n) {
        return n == 1 ? first.eventId() : first.eventId() + ":attempt-" + n;
    }

    /** When the ABORT was given: a person's decision updates the analysis after it completed. */
    private static Instant decidedAt(AnalysisRecord a) {
        Instant done = a.completedAt() == null ? a.updatedAt() : a.completedAt();
        return a.updatedAt() != null && a.updatedAt().isAfter(done) ? a.updatedAt() : done;
    }

    CanaryRequest toCanary(ArgoWebRequest r) {
        String namespace = required("namespace", r.namespace());
        String rollout = required("rollout", r.rollout());
        String canaryHash = hash("canaryHash", r.canaryHash());
        String stableHash = hash("stableHash", r.stableHash());
        if (canaryHash == null && r.canaryDigest() == null) {
            throw new InvalidInputException("canaryHash", "canaryHash or canaryDigest is required: it names the canary");
        }
        if (stableHash == null && r.stableDigest() == null) {
            throw new InvalidInputException("stableHash", "stableHash or stableDigest is required: it names the stable pods");
        }
        String canaryName = canaryHash != null ? canaryHash : r.canaryDigest();
        String readable = namespace + "/" + rollout + "@" + canaryName + (r.revision() == null ? "" : "+" + r.revision());
        String target = null;
        if (Boolean.TRUE.equals(r.rollback())) {
            if (r.canaryDigest() == null || r.stableDigest() == null) {
                throw new InvalidInputException("rollback", "rollback needs canaryDigest and stableDigest: "
                        + "a pod-template hash is not an image to roll back to");
            }
            target = TargetKind.ROLLOUT.wireName();
        }
        return new CanaryRequest(Fingerprints.eventId("argo", readable),
                Fingerprints.eventId("argo", rollout + "@" + canaryName).substring("argo:".length()),
                namespace, r.service() == null ? rollout : r.service(),
                r.template() == null ? config.defaultTemplate() : r.template(),
                r.canaryDigest() != null ? r.canaryDigest() : Fingerprints.digestOf("rollouts-pod-template-hash", canaryHash),
                labels("canaryLabels", r.canaryLabels(), namespace, canaryHash),
                r.stableDigest() != null ? r.stableDigest() : Fingerprints.digestOf("rollouts-pod-template-hash", stableHash),
                labels("stableLabels", r.stableLabels(), namespace, stableHash),
                target, target == null ? null : rollout, time(r.startedAt()), r.image());
    }

    private Map<String, String> labels(String field, JsonNode given, String namespace, String hash) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (given == null || given.isNull() || given.isTextual() && given.asText().isBlank()) {
            if (hash == null) {
                throw new InvalidInputException(field, field + " is required when no pod-template hash is given");
            }
            labels.put("namespace", namespace);
            labels.put(config.podTemplateHashLabel(), hash);
        } else if (given.isTextual()) {
            labels.putAll(Selectors.parse(field, given.asText()));
        } else if (given.isObject()) {
            given.fields().forEachRemaining(e -> labels.put(Selectors.labelName(e.getKey()), e.getValue().asText()));
        } else {
            throw new InvalidInputException(field, field + " must be 'name=value,...' or an object of labels");
        }
        return labels;
    }

    private static String hash(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.matches(HASH)) {
            throw new InvalidInputException(field, field + " must be a pod-template hash (lowercase letters and digits)");
        }
        return value;
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(field, field + " is required");
        }
        return value;
    }

    private static Instant time(String text) {
        return Inputs.time("startedAt", text);
    }

    private static JsonNode text(String s) {
        return s == null ? null : TextNode.valueOf(s);
    }
}
