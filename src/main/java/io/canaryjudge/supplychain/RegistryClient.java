package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only client of the OCI Distribution API v2 on the JDK's {@link HttpClient}: manifests by tag or digest,
 * blobs, and the referrers API. Authentication follows docker's client: ask anonymously; on 401 with
 * {@code WWW-Authenticate: Basic} answer with the docker config's credentials for that host, on
 * {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…} fetch a token from the realm (with those credentials
 * when there are any) and ask again. Tokens are kept per host and scope until they expire.
 *
 * <p>Every request has {@link Settings#timeout()} as its connect and its response timeout. HTTPS is used unless a
 * host is listed in {@link Settings#insecureHosts()}, then plain HTTP (meant for a loopback registry). Redirects
 * (blob storage) are followed by hand, at most 5, never from HTTPS to HTTP, and without the Authorization header
 * once they leave the registry's host. Answers are read up to a size limit. Thread-safe.
 */
public final class RegistryClient {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final String MANIFEST_ACCEPT = String.join(", ", OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX,
            DOCKER_MANIFEST_LIST);
    private static final int MAX_MANIFEST_BYTES = 4 << 20;
    private static final int MAX_BLOB_BYTES = 16 << 20;
    private static final int MAX_REDIRECTS = 5;
    private static final Pattern AUTH_PARAM = Pattern.compile("([A-Za-z]+)=(?:\"([^\"]*)\"|([^,\\s]*))");

    /**
     * @param timeout       connect and response timeout of every single request (a verification makes several)
     * @param insecureHosts {@code host[:port]}s spoken to over plain HTTP (loopback registries in tests); all others
     *                      over HTTPS with the JDK's trust store
     * @param credentials   credentials by registry host; {@link DockerConfig#empty()} for anonymous access
     */
    public record Settings(Duration timeout, Set<String> insecureHosts, DockerConfig credentials) {
        public Settings {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            insecureHosts = insecureHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(
                    java.util.stream.Collectors.toUnmodifiableSet());
            Objects.requireNonNull(credentials, "credentials");
        }

        /** HTTPS only, anonymous, 10 s per request. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(10), Set.of(), DockerConfig.empty());
        }

        public Settings withTimeout(Duration t) {
            return new Settings(t, insecureHosts, credentials);
        }

        public Settings withInsecureHosts(Set<String> hosts) {
            return new Settings(timeout, hosts, credentials);
        }

        public Settings withCredentials(DockerConfig c) {
            return new Settings(timeout, insecureHosts, c);
        }
    }

    /**
     * A manifest as the registry sent it.
     *
     * @param mediaType the Content-Type of the answer (or the document's own mediaType when the header is generic)
     * @param digest    sha256 of exactly these bytes, computed here (not the registry's Docker-Content-Digest)
     */
    public record Manifest(String mediaType, String digest, byte[] bytes) {
        public Manifest {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The manifest parsed as JSON. */
        public JsonNode json() throws RegistryException {
            try {
                return Json.read(bytes);
            } catch (IOException e) {
                throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 200,
                        "manifest " + digest + " is not JSON: " + e.getMessage());
            }
        }
    }

    private record Token(String value, Instant expires) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** hosts that asked for Basic: later requests send it at once instead of collecting a 401 first */
    private final Set<String> basicHosts = ConcurrentHashMap.newKeySet();

    public RegistryClient(Settings settings) {
        this(settings, Clock.systemUTC());
    }

    public RegistryClient(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public Settings settings() {
        return settings;
    }

    /** HTTP requests sent so far (token requests included); for tests and metrics. */
    public long requestCount() {
        return requests.get();
    }

    /**
     * {@code GET /v2/<repository>/manifests/<reference>} (a tag or a digest), accepting OCI and Docker v2 manifests
     * and indexes. Empty when the registry answers 404 (no such tag or manifest).
     */
    public Optional<Manifest> manifest(String registry, String repository, String reference) throws RegistryException {
        Answer a = get(registry, repository, "/v2/" + repository + "/manifests/" + reference, MANIFEST_ACCEPT,
                MAX_MANIFEST_BYTES);
        if (a.status == 404) {
            return Optional.empty();
        }
        expectOk(a, registry, "manifest " + repository + ":" + reference);
        String digest = sha256Digest(a.body);
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status, registry + " answered "
                    + repository + "@" + reference + " with a manifest whose digest is " + digest);
        }
        String type = a.headers.firstValue("Content-Type").orElse("").split(";")[0].trim();
        if (type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream")) {
            try {
                type = Json.read(a.body).path("mediaType").asText("");
            } catch (IOException e) {
                type = "";
            }
        }
        return Optional.of(new Manifest(type, digest, a.body));
    }

    /**
     * {@code GET /v2/<repository>/blobs/<digest>}: the blob's bytes, checked against {@code digest} by the caller
     * (so that a mismatch can be reported as such). A 404 is {@link RegistryException.Kind#NOT_FOUND}.
     */
    public byte[] blob(String registry, String repository, String digest) throws RegistryException {
        Answer a = get(registry, repository, "/v2/" + repository + "/blobs/" + digest, "*/*", MAX_BLOB_BYTES);
        if (a.status == 404) {
            throw new RegistryException(RegistryException.Kind.NOT_FOUND, 404,
                    "blob " + digest + " not found in " + registry + "/" + repository);
        }
        expectOk(a, registry, "blob " + repository + "@" + digest);
        return a.body;
    }

    /**
     * {@code GET /v2/<repository>/referrers/<digest>[?artifactType=…]}: the image index of the manifests whose
     * {@code subject} is {@code digest}. Empty when the registry answers 404, i.e. it has no referrers API (OCI
     * distribution 1.1); callers then fall back to the referrers tag {@code sha256-<hex>}.
     */
    public Optional<JsonNode> referrers(String registry, String repository, String digest, String artifactType)
            throws RegistryException {
        String path = "/v2/" + repository + "/referrers/" + digest
                + (artifactType == null ? "" : "?artifactType=" + URLEncoder.encode(artifactType, StandardCharsets.UTF_8));
        Answer a = get(registry, repository, path, OCI_INDEX, MAX_MANIFEST_BYTES);
        if (a.status == 404) {
            return Optional.empty();
        }
        expectOk(a, registry, "referrers of " + repository + "@" + digest);
        try {
            return Optional.of(Json.read(a.body));
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status,
                    registry + " answered the referrers of " + digest + " with no JSON index");
        }
    }

    /** {@code sha256:} and the hex SHA-256 of {@code bytes}. */
    public static String sha256Digest(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(AcceptedKey.sha256(bytes));
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    private Answer get(String registry, String repository, String path, String accept, int limit)
            throws RegistryException {
        String host = registry.toLowerCase(Locale.ROOT);
        URI uri = URI.create(scheme(host) + "://" + host + path);
        String scope = "repository:" + repository + ":pull";
        String auth = cachedAuthorization(host, scope);
        Answer a = send(uri, accept, auth, limit, host);
        if (a.status != 401) {
            return a;
        }
        String challenge = a.headers.firstValue("WWW-Authenticate").orElse("");
        String lower = challenge.toLowerCase(Locale.ROOT);
        Optional<DockerConfig.Credentials> creds = settings.credentials().credentialsFor(host);
        if (lower.startsWith("bearer")) {
            String token = fetchToken(host, challenge, scope, creds);
            return send(uri, accept, "Bearer " + token, limit, host);
        }
        if (lower.startsWith("basic") && creds.isPresent() && auth == null) {
            basicHosts.add(host);
            return send(uri, accept, creds.get().basicHeader(), limit, host);
        }
        return a;
    }

    private String cachedAuthorization(String host, String scope) {
        Token t = tokens.get(host + " " + scope);
        if (t != null && clock.instant().isBefore(t.expires)) {
            return "Bearer " + t.value;
        }
        if (basicHosts.contains(host)) {
            return settings.credentials().credentialsFor(host).map(DockerConfig.Credentials::basicHeader).orElse(null);
        }
        return null;
    }

    private String fetchToken(String host, String challenge, String defaultScope,
                              Optional<DockerConfig.Credentials> creds) throws RegistryException {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = AUTH_PARAM.matcher(challenge.substring("bearer".length()));
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String realm = params.get("realm");
        if (realm == null || realm.isEmpty()) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 401,
                    host + " asked for a bearer token without naming a realm");
        }
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 401, host + " named a malformed token realm");
        }
        String realmHost = realmUri.getAuthority() == null ? "" : realmUri.getAuthority().toLowerCase(Locale.ROOT);
        boolean plain = "http".equalsIgnoreCase(realmUri.getScheme());
        if (!(("https".equalsIgnoreCase(realmUri.getScheme())) || (plain && settings.insecureHosts().contains(realmHost)))) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 401, host + "'s token realm " + realm
                    + " is neither HTTPS nor a host configured as insecure: no credentials are sent there");
        }
        String scope = params.getOrDefault("scope", defaultScope);
        StringBuilder query = new StringBuilder();
        if (params.containsKey("service")) {
            query.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
        }
        if (!scope.isEmpty()) {
            query.append(query.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        URI tokenUri = URI.create(realm + (query.length() == 0 ? "" : (realm.contains("?") ? "&" : "?") + query));
        Answer a = send(tokenUri, "application/json", creds.map(DockerConfig.Credentials::basicHeader).orElse(null),
                64 << 10, realmHost);
        if (a.status == 401 || a.status == 403) {
            throw new RegistryException(RegistryException.Kind.DENIED, a.status, "token service " + realmUri.getHost()
                    + " refused " + (creds.isPresent() ? "the credentials for " + host : "anonymous access to " + host)
                    + " (HTTP " + a.status + ")");
        }
        if (a.status != 200) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status,
                    "token service " + realmUri.getHost() + " answered HTTP " + a.status);
        }
        JsonNode body;
        try {
            body = Json.read(a.body);
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status, "token service answered no JSON");
        }
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status, "token service answered no token");
        }
        long expiresIn = Math.max(10, body.path("expires_in").asLong(60));
        // keep it a little shorter than it lives, so it is not sent as it expires
        tokens.put(host + " " + scope, new Token(token, clock.instant().plusSeconds(expiresIn - 5)));
        if (!scope.equals(defaultScope)) {
            tokens.put(host + " " + defaultScope, new Token(token, clock.instant().plusSeconds(expiresIn - 5)));
        }
        return token;
    }

    private Answer send(URI uri, String accept, String authorization, int limit, String authHost)
            throws RegistryException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(settings.timeout()).GET()
                    .header("Accept", accept).header("User-Agent", "canary-judge-supplychain");
            String currentAuthority = current.getAuthority() == null ? "" : current.getAuthority().toLowerCase(Locale.ROOT);
            if (authorization != null && currentAuthority.equals(authHost)) {
                b.header("Authorization", authorization);
            }
            HttpResponse<byte[]> r = exchange(b.build(), limit, current);
            int status = r.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = r.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, status,
                            current.getAuthority() + " redirected without a Location");
                }
                URI next = current.resolve(location);
                if ("https".equals(current.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                    throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, status,
                            current.getAuthority() + " redirected from HTTPS to " + next.getScheme() + ": refused");
                }
                current = next;
                continue;
            }
            return new Answer(status, r.headers(), r.body());
        }
        throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 0,
                uri.getAuthority() + " redirected more than " + MAX_REDIRECTS + " times");
    }

    /**
     * One request, its whole answer (headers and body) within the timeout: the request's own timeout covers only
     * the wait for the headers, so the exchange as a whole is bounded here too.
     */
    private HttpResponse<byte[]> exchange(HttpRequest request, int limit, URI uri) throws RegistryException {
        requests.incrementAndGet();
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, info -> new LimitedBody(limit));
        try {
            return f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new RegistryException(RegistryException.Kind.TIMEOUT,
                    uri.getAuthority() + " did not answer within " + settings.timeout(), e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, "interrupted while asking " + uri.getAuthority(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof HttpTimeoutException) {
                throw new RegistryException(RegistryException.Kind.TIMEOUT,
                        uri.getAuthority() + " did not answer within " + settings.timeout(), c);
            }
            if (c instanceof TooLarge) {
                throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 200,
                        uri.getAuthority() + " answered more than " + limit + " bytes for " + uri.getPath());
            }
            if (c instanceof ConnectException) {
                throw new RegistryException(RegistryException.Kind.UNREACHABLE,
                        uri.getAuthority() + ": connection refused or failed", c);
            }
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, uri.getAuthority() + ": "
                    + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage()), c);
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("answer over the size limit");
        }
    }

    /** Collects a body up to {@code limit} bytes and cancels the exchange past it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    private static void expectOk(Answer a, String registry, String what) throws RegistryException {
        if (a.status == 200) {
            return;
        }
        if (a.status == 401 || a.status == 403) {
            throw new RegistryException(RegistryException.Kind.DENIED, a.status, registry + " refused access to " + what
                    + " (HTTP " + a.status + (a.status == 401 ? ", no or wrong credentials" : "") + ")");
        }
        throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status,
                registry + " answered HTTP " + a.status + " for " + what);
    }

    private String scheme(String host) {
        return settings.insecureHosts().contains(host) ? "http" : "https";
    }

    /** For tests: the tokens currently held (host and scope), never their values. */
    List<String> heldTokenScopes() {
        return new ArrayList<>(tokens.keySet());
    }
}
