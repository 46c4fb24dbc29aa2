package io.canaryjudge.api;

import io.canaryjudge.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Per-route request body limits, checked before a body is read. Events, integration calls, decisions and
 * backtest requests are small JSON documents: {@code canary.http.max-body-size} (256 KiB; an event itself may be
 * 64 KiB). {@code /api/v1/compare} takes raw samples — up to 1,000,000 values each — and keeps
 * {@code canary.http.compare-max-body-size} (64 MiB, also the global Vert.x limit). A larger Content-Length gets 413,
 * and a body without Content-Length (chunked) on a small route gets 411, because its size could only be known by
 * reading it. Both as problem bodies.
 */
@ApplicationScoped
public class BodyLimits {
    private final long small;
    private final long compare;

    BodyLimits(@ConfigProperty(name = "canary.http.max-body-size", defaultValue = "262144") long small,
               @ConfigProperty(name = "canary.http.compare-max-body-size", defaultValue = "67108864") long compare) {
        this.small = small;
        this.compare = compare;
    }

    @ServerRequestFilter(preMatching = true, priority = 100)
    public Optional<Response> check(ContainerRequestContext request) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || method.equals("DELETE")) {
            return Optional.empty();
        }
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.startsWith("/canary")) {
            return Optional.empty();
        }
        long limit = path.startsWith("/api/v1/compare") ? compare : small;
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            if (limit == small && request.hasEntity()) {
                return Optional.of(problem(411, "length-required", "Length required", "send the body with a "
                        + "Content-Length header (at most " + limit + " bytes on " + path + ")"));
            }
            return Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Optional.of(problem(400, "bad-request", "Bad request", "Content-Length is not a number"));
        }
        if (n > limit) {
            return Optional.of(problem(413, "body-too-large", "Body too large", "the body of " + n + " bytes exceeds "
                    + "the limit of " + limit + " bytes on " + path));
        }
        return Optional.empty();
    }

    private static Response problem(int status, String type, String title, String detail) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(type, title, status, detail, null)).build();
    }
}
