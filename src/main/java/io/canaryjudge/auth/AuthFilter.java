package io.canaryjudge.auth;

import io.canaryjudge.problem.Problem;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * API-key authentication and role checks for the REST API. Keys come as {@code Authorization: Bearer <key>} or
 * {@code X-Api-Key: <key>} (for tools such as Argo's web provider that set a fixed header). Writes need
 * {@code deployer} (analyses, integrations) or {@code approver} (decisions); reads need {@code reader} only when
 * {@code canary.auth.protect-reads} is on. The caller's name is put on the request for the history.
 */
@ApplicationScoped
public class AuthFilter {
    /** Request property holding the authenticated caller's name. */
    public static final String PRINCIPAL = "canary.principal";
    private static final Logger LOG = Logger.getLogger(AuthFilter.class);
    /** Compiled once: {@code String.matches} would compile the pattern on every API request. */
    private static final Pattern DECISIONS = Pattern.compile("/api/v1/analyses/[^/]+/decisions/?");

    /** Path prefix of a request that carries its key in the path. */
    static final String PATH_KEY = "/key/";
    /** Request property holding a key taken from the path. */
    private static final String URL_KEY = "canary.url-key";

    static final String KEYS = "keys";
    static final String OPEN = "open";

    private final ApiKeys keys;
    private final String mode;
    private final boolean protectReads;
    private final List<String> openPrefixes;

    AuthFilter(AuthConfig config) {
        this.keys = ApiKeys.parse(config.apiKeys().orElse(List.of()));
        this.mode = config.mode().trim().toLowerCase(java.util.Locale.ROOT);
        this.protectReads = config.protectReads();
        this.openPrefixes = config.openPrefixes().orElse(List.of()).stream().map(String::trim)
                .filter(p -> !p.isEmpty()).toList();
    }

    void onStart(@Observes StartupEvent ev) {
        check(mode, keys.isEmpty());
        if (keys.isEmpty()) {
            LOG.warn("auth=OPEN (CANARY_AUTH_MODE=open): every endpoint accepts anonymous calls, including approve and "
                    + "abort decisions that trigger rollbacks. Only for a demo, tests, or a sidecar bound to localhost.");
        } else if (OPEN.equals(mode)) {
            LOG.warn("auth: CANARY_AUTH_MODE=open is ignored because API keys are configured; keys are checked");
        }
    }

    /** Refuses to start without keys unless open mode was asked for explicitly. */
    static void check(String mode, boolean noKeys) {
        if (!KEYS.equals(mode) && !OPEN.equals(mode)) {
            throw new IllegalStateException("canary.auth.mode must be keys or open, not '" + mode + "'");
        }
        if (noKeys && KEYS.equals(mode)) {
            throw new IllegalStateException("no API keys configured: refusing to start with every endpoint open. Set "
                    + "CANARY_AUTH_API_KEYS (name:key:role+role,..., from a Secret), or CANARY_AUTH_MODE=open for a "
                    + "demo, tests or a sidecar bound to localhost");
        }
    }

    /**
     * A peer that cannot send a header (a Flagger webhook, Argo's kayenta provider) puts its key in the path:
     * {@code /key/<api-key>/api/v1/flagger/check}. The key is taken off before the request is routed (so no resource,
     * log line or metric sees it) and checked like a header key — and it may only carry integration roles.
     */
    @ServerRequestFilter(preMatching = true)
    public void keyFromPath(ContainerRequestContext request) {
        String raw = request.getUriInfo().getRequestUri().getRawPath();
        if (raw == null || !raw.startsWith(PATH_KEY)) {
            return;
        }
        int end = raw.indexOf('/', PATH_KEY.length());
        String key = java.net.URLDecoder.decode(raw.substring(PATH_KEY.length(), end < 0 ? raw.length() : end),
                java.nio.charset.StandardCharsets.UTF_8);
        java.net.URI uri = request.getUriInfo().getRequestUri();
        String rest = end < 0 ? "/" : raw.substring(end);
        request.setProperty(URL_KEY, key);
        request.setRequestUri(java.net.URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + rest
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())));
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        Object urlKey = request.getProperty(URL_KEY);
        if (urlKey != null) {
            return authenticateUrlKey(request, path, urlKey.toString());
        }
        String role = requiredRole(request.getMethod(), path);
        if ("reader-if-protected".equals(role)) {
            role = protectReads ? "reader" : null;
        }
        if (role != null && openPrefixes.stream().anyMatch(path::startsWith)) {
            role = null;
        }
        if (role == null || keys.isEmpty()) {
            request.setProperty(PRINCIPAL, keys.isEmpty() ? "anonymous" : null);
            return Optional.empty();
        }
        String key = key(request);
        if (key == null) {
            return Optional.of(problem(401, "unauthenticated", "Authentication required",
                    "send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'"));
        }
        Optional<ApiKeys.Principal> principal = keys.find(key);
        if (principal.isEmpty()) {
            return Optional.of(problem(401, "unauthenticated", "Authentication failed", "unknown API key"));
        }
        String integration = integrationRole(path);
        if (!principal.get().has(role) && !(integration != null && principal.get().has(integration))) {
            LOG.infof("auth=denied caller=%s role=%s path=%s", principal.get().name(), role, path);
            return Optional.of(problem(403, "forbidden", "Forbidden",
                    "caller '" + principal.get().name() + "' lacks role " + role));
        }
        request.setProperty(PRINCIPAL, principal.get().name());
        return Optional.empty();
    }

    /** A key that came in the URL path: only an integration key, only on its own integration's endpoints. */
    private Optional<Response> authenticateUrlKey(ContainerRequestContext request, String path, String key) {
        if (keys.isEmpty()) {
            request.setProperty(PRINCIPAL, "anonymous"); // open mode: the path form works, like every other call
            return Optional.empty();
        }
        Optional<ApiKeys.Principal> principal = keys.find(key);
        if (principal.isEmpty()) {
            return Optional.of(problem(401, "unauthenticated", "Authentication failed", "unknown API key in the path"));
        }
        if (!principal.get().integrationOnly()) {
            LOG.warnf("auth=denied caller=%s: a key with roles %s was sent in a URL path", principal.get().name(),
                    principal.get().roles());
            return Optional.of(problem(403, "forbidden", "Forbidden", "caller '" + principal.get().name()
                    + "': a key sent in a URL path may only carry integration roles " + ApiKeys.INTEGRATION_ROLES
                    + " (a URL is written into manifests and logs); send this key as a header instead"));
        }
        String integration = integrationRole(path);
        if (integration == null || !principal.get().has(integration)) {
            LOG.infof("auth=denied caller=%s path=%s", principal.get().name(), path);
            return Optional.of(problem(403, "forbidden", "Forbidden", "caller '" + principal.get().name()
                    + "' may only call the endpoints of " + principal.get().roles()));
        }
        request.setProperty(PRINCIPAL, principal.get().name());
        return Optional.empty();
    }

    /** The integration role that also allows a call to {@code path}, or null when no integration role does. */
    static String integrationRole(String path) {
        if (path.equals("/api/v1/flagger") || path.startsWith("/api/v1/flagger/")) {
            return "flagger";
        }
        if (path.equals("/canary") || path.startsWith("/canary/") || path.equals("/canaryConfig")
                || path.startsWith("/canaryConfig/")) {
            return "kayenta";
        }
        return null;
    }

    /** The role a call needs, or null when it is open (health, metrics, OpenAPI, the web page's assets). */
    static String requiredRole(String method, String path) {
        boolean api = path.startsWith("/api/") || path.startsWith("/canary") || path.equals("/canaryConfig");
        if (!api) {
            return null;
        }
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (path.startsWith("/api/v1/compare")) {
            return null; // stateless statistics, no data of anyone's
        }
        if (DECISIONS.matcher(path).matches()) {
            return read ? "reader-if-protected" : "approver";
        }
        // the Argo web provider's GET and the Kayenta execution start analyses: they are writes
        if (path.startsWith("/api/v1/argo") || path.startsWith("/api/v1/flagger")
                || (path.startsWith("/canary/") && !read) || (path.equals("/canary") && !read)) {
            return "deployer";
        }
        return read ? "reader-if-protected" : "deployer";
    }

    private static String key(ContainerRequestContext request) {
        String auth = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        String header = request.getHeaderString("X-Api-Key");
        return header == null || header.isBlank() ? null : header.trim();
    }

    private static Response problem(int status, String type, String title, String detail) {
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(type, title, status, detail, null));
        if (status == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"canary-judge\"");
        }
        return b.build();
    }
}
