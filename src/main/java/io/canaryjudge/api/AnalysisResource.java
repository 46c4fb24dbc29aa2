package io.canaryjudge.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.canaryjudge.analysis.AnalysisService;
import io.canaryjudge.analysis.DecisionService;
import io.canaryjudge.auth.AuthFilter;
import io.canaryjudge.event.EventReader;
import io.canaryjudge.event.Submission;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.rollback.RollbackService;
import io.canaryjudge.verdict.AnalysisQuery;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementRecord;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Start analyses and read their history. */
@Path("/api/v1/analyses")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "analyses")
@Blocking
public class AnalysisResource {
    private final EventReader reader;
    private final AnalysisService analyses;
    private final AnalysisStore store;
    private final ObjectMapper json;
    private final DecisionService decisions;
    private final RollbackService rollbacks;

    AnalysisResource(EventReader reader, AnalysisService analyses, AnalysisStore store, ObjectMapper json,
                     DecisionService decisions, RollbackService rollbacks) {
        this.decisions = decisions;
        this.rollbacks = rollbacks;
        this.reader = reader;
        this.analyses = analyses;
        this.store = store;
        this.json = json;
    }

    @POST
    @Consumes({MediaType.APPLICATION_JSON, "application/cloudevents+json"})
    @RequestBody(content = @Content(schema = @Schema(implementation = DeploymentEventSchema.class)))
    @Operation(summary = "Start an analysis", description = "Same body as the Kafka deployment event. The event id is "
            + "the idempotency key: posting it again answers with the same analysis.")
    public Response start(byte[] body, @Context UriInfo uri) {
        // Read exactly as a Kafka record: same size limit, same parser, and a CloudEvent body is unwrapped too.
        Submission s = analyses.submit(reader.read(body, Map.of()));
        ObjectNode out = json.createObjectNode();
        out.put("id", s.analysisId());
        out.put("phase", s.phase());
        out.put("created", s.created());
        if (s.analysisId() == null) {
            return Response.accepted(out).build();
        }
        return Response.accepted(out).location(uri.getBaseUriBuilder().path("api/v1/analyses").path(s.analysisId()).build())
                .build();
    }

    @GET
    @Operation(summary = "List analyses, newest first", description = "Filter by namespace, service, verdict and "
            + "startedAt range; page with limit and the nextCursor of the previous page.")
    @APIResponse(responseCode = "200", description = "{items: [analysis summaries, newest first], nextCursor}",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    public Response list(@QueryParam("namespace") String namespace, @QueryParam("service") String service,
                           @QueryParam("verdict") String verdict, @QueryParam("since") String since,
                           @QueryParam("until") String until, @QueryParam("limit") Integer limit,
                           @QueryParam("cursor") String cursor) {
        Verdict wanted = verdict(verdict);
        int n = limit == null ? 50 : limit;
        if (n < 1 || n > 500) {
            throw new InvalidInputException("limit", "limit must be between 1 and 500");
        }
        AnalysisStore.Page page;
        try {
            page = store.list(new AnalysisQuery(namespace, service, wanted, time("since", since), time("until", until),
                    n, cursor));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("cursor", e.getMessage());
        }
        // written straight to bytes (no node tree, no second serialisation by the REST layer): this is the hot read
        return Response.ok(AnalysisJson.page(json.getFactory(), page), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One analysis with its verdict, per-metric explanations, every measurement and its rollback")
    public ObjectNode get(@PathParam("id") String id) {
        AnalysisRecord a = store.find(id).orElseThrow(() -> new NotFoundException("no analysis " + id));
        ObjectNode n = view(a, store.measurements(id));
        // null when the analysis had no rollback (not an ABORT, or rollback off for it)
        n.set("rollback", rollbacks.find(id).<JsonNode>map(json::valueToTree).orElse(json.nullNode()));
        return n;
    }

    /** A human decision on an analysis. */
    public record DecisionRequest(String action, String reason) {
    }

    @POST
    @Path("{id}/decisions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Approve or abort by hand", description = "Role approver. approve turns an INCONCLUSIVE verdict "
            + "into PROMOTE; abort ends a running or INCONCLUSIVE analysis with ABORT (and its rollback). Who, when and "
            + "why are recorded and carried by a new verdict event. 409 when the analysis cannot be changed.")
    public ObjectNode decide(@PathParam("id") String id, DecisionRequest body, @Context ContainerRequestContext request) {
        if (body == null || body.action() == null) {
            throw new InvalidInputException("action", "action is required: approve or abort");
        }
        DecisionService.Action action = switch (body.action()) {
            case "approve" -> DecisionService.Action.APPROVE;
            case "abort" -> DecisionService.Action.ABORT;
            default -> throw new InvalidInputException("action", "unknown action '" + body.action()
                    + "', expected approve or abort");
        };
        if (body.reason() == null || body.reason().isBlank() || body.reason().length() > 2000) {
            throw new InvalidInputException("reason", "reason is required (at most 2000 characters): it is recorded");
        }
        Object principal = request.getProperty(AuthFilter.PRINCIPAL);
        String actor = principal == null ? "anonymous" : principal.toString();
        AnalysisRecord a = decisions.decide(id, action, actor, body.reason().strip())
                .orElseThrow(() -> new NotFoundException("no analysis " + id));
        return view(a, store.measurements(id));
    }

    /** The summary (the same writer as the list's items), then the details of one analysis. */
    private ObjectNode view(AnalysisRecord a, List<MeasurementRecord> measurements) {
        ObjectNode n;
        try (TokenBuffer summary = new TokenBuffer(json, false)) {
            summary.writeStartObject();
            AnalysisJson.summaryFields(summary, a, new char[32]);
            summary.writeEndObject();
            n = json.readTree(summary.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        VerdictDocument verdict = a.verdictJson() == null ? null : VerdictCodec.read(json, a.verdictJson());
        // a running analysis has none yet ([]); a document that judged nothing (cancelled, unreadable) has none (null)
        n.set("metrics", verdict == null ? json.createArrayNode()
                : verdict.metrics() == null ? json.nullNode() : json.valueToTree(verdict.metrics()));
        // what the signature policy verified of the canary before a PROMOTE (absent when signatures are off)
        if (verdict != null && verdict.image() != null) {
            n.put("image", verdict.image());
        }
        if (verdict != null && verdict.signature() != null) {
            n.set("signature", json.valueToTree(verdict.signature()));
        }
        n.set("decisions", json.valueToTree(store.decisions(a.id())));
        // the frozen template (tolerance, direction, kind per metric): the web page draws tolerance bands from it
        n.set("templateDefinition", parse(a.templateJson()));
        ArrayNode ms = n.putArray("measurements");
        for (MeasurementRecord m : measurements) {
            ObjectNode mj = (ObjectNode) parse(m.resultJson());
            mj.put("takenAt", m.takenAt().toString());
            ms.add(mj);
        }
        return n;
    }

    private JsonNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    private static Verdict verdict(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Verdict.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("verdict", "verdict must be one of " + List.of(Verdict.values()));
        }
    }

    private static Instant time(String field, String text) {
        return Inputs.time(field, text);
    }
}
