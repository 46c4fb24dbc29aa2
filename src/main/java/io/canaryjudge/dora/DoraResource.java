package io.canaryjudge.dora;

import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The DORA four from the verdict stream. */
@Path("/api/v1/dora")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dora")
@Blocking
public class DoraResource {
    private final DoraService dora;
    private final DoraConfig config;
    private final Clock clock;

    DoraResource(DoraService dora, DoraConfig config, Clock clock) {
        this.dora = dora;
        this.config = config;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Deployment frequency, change failure rate, time to restore and lead time",
            description = "Over deployments whose canary started in [since, until) (default: the last 30 days), "
                    + "overall and per service; optionally for one namespace and/or service. Durations in seconds.")
    public DoraReport get(@QueryParam("namespace") String namespace, @QueryParam("service") String service,
                          @QueryParam("since") String since, @QueryParam("until") String until) {
        Instant to = until == null ? clock.instant() : time("until", until);
        Instant from = since == null ? to.minus(config.window()) : time("since", since);
        if (!from.isBefore(to)) {
            throw new InvalidInputException("since", "since must be before until");
        }
        if (Duration.between(from, to).compareTo(config.maxWindow()) > 0) {
            throw new InvalidInputException("since", "window longer than " + config.maxWindow().toDays() + " days");
        }
        return dora.report(blankToNull(namespace), blankToNull(service), from, to);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Instant time(String field, String text) {
        return Inputs.time(field, text);
    }
}
