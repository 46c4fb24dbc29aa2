package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only client of the OCI Distribution API v2 on the JDK's {@link java.net.http.HttpClient}: manifests by tag
 * or digest, blobs, and the referrers API. Authentication follows docker's client: ask anonymously; on 401 with
 * {@code WWW-Authenticate: Basic} answer with the docker config's credentials for that host, on
 * {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…} fetch a token from the realm (with those credentials
 * when there are any) and ask again. Tokens are kept per host and scope until they expire ({@link RegistryAuth}).
 *
 * <p>Every request has {@link Settings#timeout()} as its connect and its response timeout. HTTPS is used unless a
 * host is listed in {@link Settings#insecureHosts()}, then plain HTTP (meant for a loopback registry). Redirects
 * (blob storage) are followed by hand, at most 5, never from HTTPS to HTTP, and without the Authorization header
 * once they leave the registry's host. Answers are read up to a size limit ({@link RegistryHttp}). Thread-safe.
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

    private final Settings settings;
    private final RegistryHttp http;
    private final RegistryAuth auth;

    public RegistryClient(Settings settings) {
        this(settings, Clock.systemUTC());
    }

    public RegistryClient(Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = new RegistryHttp(settings.timeout());
        this.auth = new RegistryAuth(settings, http, Objects.requireNonNull(clock, "clock"));
    }

    public Settings settings() {
        return settings;
    }

    /** HTTP requests sent so far (token requests included); for tests and metrics. */
    public long requestCount() {
        return http.requestCount();
    }

    /**
     * {@code GET /v2/<repository>/manifests/<reference>} (a tag or a digest), accepting OCI and Docker v2 manifests
     * and indexes. Empty when the registry answers 404 (no such tag or manifest).
     */
    public Optional<Manifest> manifest(String registry, String repository, String reference) throws RegistryException {
        RegistryHttp.Answer a = get(registry, repository, "/v2/" + repository + "/manifests/" + reference, MANIFEST_ACCEPT,
                MAX_MANIFEST_BYTES);
        if (a.status() == 404) {
            return Optional.empty();
        }
        expectOk(a, registry, "manifest " + repository + ":" + reference);
        String digest = sha256Digest(a.body());
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(), registry + " answered "
                    + repository + "@" + reference + " with a manifest whose digest is " + digest);
        }
        String type = a.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        if (type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream")) {
            try {
                type = Json.read(a.body()).path("mediaType").asText("");
            } catch (IOException e) {
                type = "";
            }
        }
        return Optional.of(new Manifest(type, digest, a.body()));
    }

    /**
     * {@code GET /v2/<repository>/blobs/<digest>}: the blob's bytes, checked against {@code digest} by the caller
     * (so that a mismatch can be reported as such). A 404 is {@link RegistryException.Kind#NOT_FOUND}.
     */
    public byte[] blob(String registry, String repository, String digest) throws RegistryException {
        RegistryHttp.Answer a = get(registry, repository, "/v2/" + repository + "/blobs/" + digest, "*/*", MAX_BLOB_BYTES);
        if (a.status() == 404) {
            throw new RegistryException(RegistryException.Kind.NOT_FOUND, 404,
                    "blob " + digest + " not found in " + registry + "/" + repository);
        }
        expectOk(a, registry, "blob " + repository + "@" + digest);
        return a.body();
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
        RegistryHttp.Answer a = get(registry, repository, path, OCI_INDEX, MAX_MANIFEST_BYTES);
        if (a.status() == 404) {
            return Optional.empty();
        }
        expectOk(a, registry, "referrers of " + repository + "@" + digest);
        try {
            return Optional.of(Json.read(a.body()));
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(),
                    registry + " answered the referrers of " + digest + " with no JSON index");
        }
    }

    /** {@code sha256:} and the hex SHA-256 of {@code bytes}. */
    public static String sha256Digest(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(AcceptedKey.sha256(bytes));
    }

    // ---------------------------------------------------------------------------------------------------------

    private RegistryHttp.Answer get(String registry, String repository, String path, String accept, int limit)
            throws RegistryException {
        String host = registry.toLowerCase(Locale.ROOT);
        URI uri = URI.create(scheme(host) + "://" + host + path);
        return auth.get(host, "repository:" + repository + ":pull", uri, accept, limit);
    }

    private static void expectOk(RegistryHttp.Answer a, String registry, String what) throws RegistryException {
        if (a.status() == 200) {
            return;
        }
        if (a.status() == 401 || a.status() == 403) {
            throw new RegistryException(RegistryException.Kind.DENIED, a.status(), registry + " refused access to " + what
                    + " (HTTP " + a.status() + (a.status() == 401 ? ", no or wrong credentials" : "") + ")");
        }
        throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(),
                registry + " answered HTTP " + a.status() + " for " + what);
    }

    private String scheme(String host) {
        return settings.insecureHosts().contains(host) ? "http" : "https";
    }

    /** For tests: the tokens currently held (host and scope), never their values. */
    List<String> heldTokenScopes() {
        return auth.heldTokenScopes();
    }
}
