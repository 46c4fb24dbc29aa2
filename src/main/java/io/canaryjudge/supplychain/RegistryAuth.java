package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The authentication of {@link RegistryClient}, as docker's client does it: ask anonymously; on 401 with
 * {@code WWW-Authenticate: Basic} answer with the docker config's credentials for that host, on
 * {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…} fetch a token from the realm (with those credentials
 * when there are any, and only over HTTPS or to a host configured as insecure) and ask again. Tokens are kept per host
 * and scope until shortly before they expire; a host that asked for Basic gets it at once afterwards. Thread-safe.
 */
final class RegistryAuth {
    private static final Pattern AUTH_PARAM = Pattern.compile("([A-Za-z]+)=(?:\"([^\"]*)\"|([^,\\s]*))");
    private static final int MAX_TOKEN_BYTES = 64 << 10;

    private record Token(String value, Instant expires) {
    }

    private final RegistryClient.Settings settings;
    private final RegistryHttp http;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** hosts that asked for Basic: later requests send it at once instead of collecting a 401 first */
    private final Set<String> basicHosts = ConcurrentHashMap.newKeySet();

    RegistryAuth(RegistryClient.Settings settings, RegistryHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    /** GETs {@code uri} of {@code host} for a pull of {@code scope}, authenticating as the registry asks. */
    RegistryHttp.Answer get(String host, String scope, URI uri, String accept, int limit) throws RegistryException {
        String auth = cachedAuthorization(host, scope);
        RegistryHttp.Answer a = http.send(uri, accept, auth, limit, host);
        if (a.status() != 401) {
            return a;
        }
        String challenge = a.headers().firstValue("WWW-Authenticate").orElse("");
        String lower = challenge.toLowerCase(Locale.ROOT);
        Optional<DockerConfig.Credentials> creds = settings.credentials().credentialsFor(host);
        if (lower.startsWith("bearer")) {
            String token = fetchToken(host, challenge, scope, creds);
            return http.send(uri, accept, "Bearer " + token, limit, host);
        }
        if (lower.startsWith("basic") && creds.isPresent() && auth == null) {
            basicHosts.add(host);
            return http.send(uri, accept, creds.get().basicHeader(), limit, host);
        }
        return a;
    }

    /** The tokens currently held (host and scope), never their values. */
    List<String> heldTokenScopes() {
        return new ArrayList<>(tokens.keySet());
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
        Map<String, String> params = challengeParameters(challenge);
        URI realm = realm(host, params.get("realm"));
        String scope = params.getOrDefault("scope", defaultScope);
        RegistryHttp.Answer a = http.send(tokenUri(params.get("realm"), params.get("service"), scope),
                "application/json", creds.map(DockerConfig.Credentials::basicHeader).orElse(null), MAX_TOKEN_BYTES,
                authority(realm));
        if (a.status() == 401 || a.status() == 403) {
            throw new RegistryException(RegistryException.Kind.DENIED, a.status(), "token service " + realm.getHost()
                    + " refused " + (creds.isPresent() ? "the credentials for " + host : "anonymous access to " + host)
                    + " (HTTP " + a.status() + ")");
        }
        if (a.status() != 200) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(),
                    "token service " + realm.getHost() + " answered HTTP " + a.status());
        }
        JsonNode body;
        try {
            body = Json.read(a.body());
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(), "token service answered no JSON");
        }
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, a.status(), "token service answered no token");
        }
        long expiresIn = Math.max(10, body.path("expires_in").asLong(60));
        // keep it a little shorter than it lives, so it is not sent as it expires
        Token kept = new Token(token, clock.instant().plusSeconds(expiresIn - 5));
        tokens.put(host + " " + scope, kept);
        if (!scope.equals(defaultScope)) {
            tokens.put(host + " " + defaultScope, kept);
        }
        return token;
    }

    /** The {@code key=value} and {@code key="value"} parameters of a Bearer challenge, keys in lower case. */
    private static Map<String, String> challengeParameters(String challenge) {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = AUTH_PARAM.matcher(challenge.substring("bearer".length()));
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return params;
    }

    /** The token realm, if credentials may be sent there: HTTPS, or plain HTTP to a host configured as insecure. */
    private URI realm(String host, String realm) throws RegistryException {
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
        boolean plain = "http".equalsIgnoreCase(realmUri.getScheme());
        if (!("https".equalsIgnoreCase(realmUri.getScheme())
                || (plain && settings.insecureHosts().contains(authority(realmUri))))) {
            throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 401, host + "'s token realm " + realm
                    + " is neither HTTPS nor a host configured as insecure: no credentials are sent there");
        }
        return realmUri;
    }

    private static URI tokenUri(String realm, String service, String scope) {
        StringBuilder query = new StringBuilder();
        if (service != null) {
            query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        if (!scope.isEmpty()) {
            query.append(query.length() > 0 ? "&" : "").append("scope=")
                    .append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        return URI.create(realm + (query.length() == 0 ? "" : (realm.contains("?") ? "&" : "?") + query));
    }

    private static String authority(URI uri) {
        return uri.getAuthority() == null ? "" : uri.getAuthority().toLowerCase(Locale.ROOT);
    }
}
