package io.canaryjudge.integrations.flagger;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.integrations.CanaryRequest;
import io.canaryjudge.integrations.Fingerprints;
import io.canaryjudge.integrations.IntegrationAnalyses;
import io.canaryjudge.integrations.IntegrationsConfig;
import io.canaryjudge.integrations.IntegrationOutcome;
import io.canaryjudge.integrations.Standing;
import io.canaryjudge.integrations.Selectors;
import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Flagger webhooks. Flagger passes a hook only on HTTP 200-202 and, for a {@code rollback} hook, rolls back on 200.
 * Every hook starts or finds the analysis of (namespace, canary name, checksum), so whichever hook Flagger calls
 * first starts it and the others find it.
 */
@Path("/api/v1/flagger")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Tag(name = "flagger")
@Blocking
public class FlaggerResource {
    /** Phases after which Flagger no longer analyses this canary revision. */
    private static final Set<String> GIVEN_UP = Set.of("Failed", "Terminating", "Terminated");
    /**
     * The event Flagger records when the target changes while a revision is analysed (scheduler.go,
     * hasCanaryRevisionChanged). It is sent before Flagger stores the new revision, so it carries the phase
     * Progressing and the checksum of the revision being abandoned.
     */
    static final String RESTARTING = "New revision detected! Restarting analysis";
    private static final int CLOSED = 412;

    private final IntegrationAnalyses analyses;
    private final IntegrationsConfig config;
    private final ObjectMapper json;

    FlaggerResource(IntegrationAnalyses analyses, IntegrationsConfig config, ObjectMapper json) {
        this.analyses = analyses;
        this.config = config;
        this.json = json;
    }

    /** Extension of the problem body: what the analysis says, so Flagger's event log shows why. */
    public record GateProblem(String type, String title, int status, String detail, Standing verdict, String analysisId) {
    }

    @POST
    @Path("gate")
    @RequestBody(content = @Content(schema = @Schema(implementation = FlaggerPayload.class)))
    @Operation(summary = "Flagger confirm-promotion / confirm-rollout gate", description = "200 only when the analysis "
            + "says PROMOTE; otherwise 412 with a problem body naming the verdict and the reason (Flagger waits and "
            + "calls again).")
    public Response gate(byte[] body) {
        IntegrationOutcome o = outcome(read(body));
        if (o.verdict() == Standing.PROMOTE) {
            return Response.ok(o).build();
        }
        return closed("gate-closed", "Gate closed", "verdict " + o.verdict() + ": " + o.reason(), o);
    }

    @POST
    @Path("rollback")
    @RequestBody(content = @Content(schema = @Schema(implementation = FlaggerPayload.class)))
    @Operation(summary = "Flagger rollback hook", description = "200 (roll back now) when the analysis says ABORT; "
            + "412 otherwise.")
    public Response rollback(byte[] body) {
        IntegrationOutcome o = outcome(read(body));
        if (o.verdict() == Standing.ABORT) {
            return Response.ok(o).build();
        }
        return closed("no-rollback", "No rollback", "verdict " + o.verdict() + ": " + o.reason(), o);
    }

    @POST
    @Path("check")
    @RequestBody(content = @Content(schema = @Schema(implementation = FlaggerPayload.class)))
    @Operation(summary = "Flagger rollout hook (a check run every iteration)", description = "200 unless the "
            + "analysis says ABORT; then 412, a failed check that rolls back once the Canary's threshold is reached "
            + "(threshold: 1 rolls back at once). Unlike the rollback hook, a healthy iteration records no event.")
    public Response check(byte[] body) {
        IntegrationOutcome o = outcome(read(body));
        if (o.verdict() != Standing.ABORT) {
            return Response.ok(o).build();
        }
        return closed("check-failed", "Check failed", "verdict ABORT: " + o.reason(), o);
    }

    @POST
    @Path("event")
    @RequestBody(content = @Content(schema = @Schema(implementation = FlaggerPayload.class)))
    @Operation(summary = "Flagger event hook", description = "Progressing starts (or finds) the analysis of this "
            + "revision; Failed, Terminating and Terminated cancel it; 'New revision detected! Restarting analysis' "
            + "(sent with the abandoned revision's checksum) cancels that revision's analysis as superseded and starts "
            + "nothing; other phases are acknowledged and ignored. Always 202 for a valid payload.")
    public Response event(byte[] body) {
        FlaggerPayload p = read(body);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phase", p.phase());
        if (p.metadata().getOrDefault("eventMessage", "").startsWith(RESTARTING)) {
            // the checksum names the old revision: its analysis must not run on (and publish a verdict, perhaps
            // roll back) for a revision Flagger no longer deploys; the new revision's first hook starts its own
            String deployment = deploymentId(p);
            out.put("action", "superseded");
            out.put("analysisId", analyses.cancel(Fingerprints.eventId("flagger-superseded",
                    p.namespace() + "/" + deployment), p.namespace(), service(p), deployment).orElse(null));
        } else if ("Progressing".equals(p.phase())) {
            IntegrationOutcome o = analyses.outcome(analyses.startOrFind(toCanary(p)));
            out.put("action", "started");
            out.put("analysisId", o.analysisId());
            out.put("verdict", o.verdict());
        } else if (p.phase() != null && GIVEN_UP.contains(p.phase())) {
            String deployment = deploymentId(p);
            out.put("action", "cancelled");
            out.put("analysisId", analyses.cancel(Fingerprints.eventId("flagger-" + p.phase().toLowerCase(),
                    p.namespace() + "/" + deployment), p.namespace(), service(p), deployment).orElse(null));
        } else {
            out.put("action", "ignored");
        }
        return Response.accepted(out).build();
    }

    private IntegrationOutcome outcome(FlaggerPayload p) {
        return analyses.outcome(analyses.startOrFind(toCanary(p)));
    }

    CanaryRequest toCanary(FlaggerPayload p) {
        String checksum = checksum(p);
        Map<String, String> m = p.metadata();
        String label = config.flagger().workloadLabel();
        return new CanaryRequest(Fingerprints.eventId("flagger", p.namespace() + "/" + p.name() + "@" + checksum),
                deploymentId(p), p.namespace(), service(p), m.getOrDefault("template", config.defaultTemplate()),
                m.getOrDefault("canaryDigest", Fingerprints.digestOf("flagger-canary", checksum)),
                labels("metadata.canaryLabels", m.get("canaryLabels"), p.namespace(), label, p.name()),
                m.getOrDefault("stableDigest", Fingerprints.digestOf("flagger-primary", checksum)),
                labels("metadata.stableLabels", m.get("stableLabels"), p.namespace(), label, p.name() + "-primary"),
                null, null, time(m.get("startedAt")), m.get("image"));
    }

    private static Map<String, String> labels(String field, String given, String namespace, String label, String value) {
        if (given != null && !given.isBlank()) {
            return Selectors.parse(field, given);
        }
        // Flagger's canary pods run as <name>, the primary ones as <name>-primary
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("namespace", namespace);
        labels.put(label, value);
        return labels;
    }

    private static String deploymentId(FlaggerPayload p) {
        return Fingerprints.eventId("flagger", p.name() + "@" + checksum(p)).substring("flagger:".length());
    }

    private static String service(FlaggerPayload p) {
        return p.metadata().getOrDefault("service", p.name());
    }

    private static String checksum(FlaggerPayload p) {
        if (p.checksum() == null || p.checksum().isBlank()) {
            throw new InvalidInputException("checksum", "checksum is required: it names the canary revision "
                    + "(sent by Flagger 1.x and later)");
        }
        return p.checksum();
    }

    private FlaggerPayload read(byte[] body) {
        FlaggerPayload p;
        try {
            p = body == null || body.length == 0 ? null : json.readValue(body, FlaggerPayload.class);
        } catch (IOException e) {
            throw new InvalidInputException("$", "expected Flagger's webhook payload {name, namespace, phase, "
                    + "checksum, metadata}: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (p == null) {
            throw new InvalidInputException("$", "expected Flagger's webhook payload {name, namespace, phase, checksum, metadata}");
        }
        if (p.name() == null || p.name().isBlank()) {
            throw new InvalidInputException("name", "name is required: the canary's name");
        }
        if (p.namespace() == null || p.namespace().isBlank()) {
            throw new InvalidInputException("namespace", "namespace is required: the canary's namespace");
        }
        return p;
    }

    private static Instant time(String text) {
        return Inputs.time("metadata.startedAt", text);
    }

    private static Response closed(String type, String title, String detail, IntegrationOutcome o) {
        return Response.status(CLOSED).type(Problem.MEDIA_TYPE).entity(new GateProblem(Problem.TYPE_PREFIX + type,
                title, CLOSED, detail, o.verdict(), o.analysisId())).build();
    }
}
