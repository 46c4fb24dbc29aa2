package io.canaryjudge.backtest;

import io.canaryjudge.problem.Problem;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Backtests: a template over past Prometheus data, stable against stable (A/A) or a past deployment (replay). */
@Path("/api/v1/backtests")
@Tag(name = "backtests")
@Blocking
public class BacktestResource {
    private static final Logger LOG = Logger.getLogger(BacktestResource.class);

    private final Backtests backtests;

    BacktestResource(Backtests backtests) {
        this.backtests = backtests;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @RequestBody(content = @Content(schema = @Schema(implementation = BacktestRequest.class)))
    @Operation(summary = "Run a backtest", description = "Synchronous; nothing is stored, published or rolled back. "
            + "kind aa cuts [from, to) into consecutive windows of interval x count and runs the template in each "
            + "with stable data on both sides (two disjoint selectors, or one cohort against itself offset in time): "
            + "verdict counts, the false-abort rate with its 95 % Clopper-Pearson interval, per-metric and per-window "
            + "results. kind replay runs the template once over a past deployment: verdict, the measurement that "
            + "decided, per-metric explanations. Accept text/plain for a readable report. Role deployer "
            + "(it costs Prometheus queries). At most canary.backtest.max-windows windows (400 beyond).")
    @APIResponse(responseCode = "200", description = "the result",
            content = {@Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(oneOf = {
                Backtests.AaResult.class, Backtests.ReplayResult.class})),
                @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "bad input, named in the problem body",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "Prometheus could not be reached",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response run(BacktestRequest request, @Context HttpHeaders headers) {
        Object result = backtests.run(request);
        if (wantsText(headers)) {
            return Response.ok(Report.of(result), MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).build();
        }
        return Response.ok(result, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** text/plain when the caller prefers it to JSON (Accept is sorted by quality); JSON otherwise. */
    private static boolean wantsText(HttpHeaders headers) {
        for (MediaType t : headers.getAcceptableMediaTypes()) {
            if (t.isWildcardType()) {
                return false;
            }
            if (t.getType().equals("text") && (t.isWildcardSubtype() || t.getSubtype().equals("plain"))) {
                return true;
            }
            if (t.getType().equals("application") && (t.isWildcardSubtype() || t.getSubtype().equals("json"))) {
                return false;
            }
        }
        return false;
    }

    @ServerExceptionMapper
    public Response prometheusUnavailable(ReadAhead.Unavailable e) {
        LOG.warnf("backtest failed: Prometheus unavailable: %s", e.getMessage());
        return Response.status(502).type(Problem.MEDIA_TYPE).entity(Problem.of("prometheus-unavailable",
                "Prometheus unavailable", 502, "the backtest could not read Prometheus: " + e.getMessage(), null)).build();
    }
}
