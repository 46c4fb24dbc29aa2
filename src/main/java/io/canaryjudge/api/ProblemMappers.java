package io.canaryjudge.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.canaryjudge.event.InvalidEventException;
import io.canaryjudge.problem.CapacityException;
import io.canaryjudge.problem.ConflictException;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.problem.Problem;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns failures into problem responses: 400 naming the field for bad input, 500 without internals otherwise. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalidEvent(InvalidEventException e) {
        return problem(400, "invalid-event", "Invalid deployment event", e.getMessage(),
                e.violations().stream().map(v -> new Problem.FieldError(v.field(), v.message())).toList());
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return problem(409, e.type(), e.title(), e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response atCapacity(CapacityException e) {
        return Response.fromResponse(problem(503, "at-capacity", "At capacity", e.getMessage(), null))
                .header("Retry-After", Math.max(1, e.retryAfter().toSeconds())).build();
    }

    @ServerExceptionMapper
    public Response storeDown(io.canaryjudge.verdict.StoreException e) {
        LOG.warnf("store unavailable: %s", e.getMessage());
        return Response.fromResponse(problem(503, "store-unavailable", "Store unavailable",
                "the database does not answer; retry later", null)).header("Retry-After", "10").build();
    }

    @ServerExceptionMapper
    public Response badRequest(InvalidInputException e) {
        return problem(400, "bad-request", "Bad request", e.getMessage(), List.of(new Problem.FieldError(e.field(), e.getMessage())));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String field = "$";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    sb.append('[').append(r.getIndex()).append(']');
                }
            }
            field = sb.toString();
        }
        String message = field.equals("$") ? "malformed JSON" : "wrong type or value";
        return problem(400, "malformed-json", "Malformed JSON", field + ": " + e.getOriginalMessage(),
                List.of(new Problem.FieldError(field, message)));
    }

    /** More specific than Quarkus' built-in mapper of this type, which answers plain JSON. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return malformedJson(e);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException j) {
                return malformedJson(j);
            }
        }
        int status = e.getResponse().getStatus();
        return problem(status, "http-" + status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response judgeRejected(IllegalArgumentException e) {
        // the judge's preconditions ("forced exact test needs n*m <= ...") are the caller's input
        return problem(400, "bad-request", "Bad request", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error serving a request", e);
        return problem(500, "internal", "Internal error", "the request failed; see the service log", null);
    }

    public static Response problem(int status, String type, String title, String detail, List<Problem.FieldError> errors) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(type, title, status, detail, errors)).build();
    }
}
