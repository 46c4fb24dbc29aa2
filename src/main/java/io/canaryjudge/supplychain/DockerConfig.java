package io.canaryjudge.supplychain;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials in docker's {@code config.json} format: {@code {"auths": {"host:port": {"auth":
 * base64("user:pass")}}}} (or {@code "username"}/{@code "password"} fields). Credential helpers ({@code credsStore},
 * {@code credHelpers}) are not run: their entries are ignored. Immutable.
 */
public final class DockerConfig {
    /** A user name and password for one registry; {@link #toString()} does not print the password. */
    public record Credentials(String username, String password) {
        public Credentials {
            if (username == null || username.isEmpty() || password == null) {
                throw new IllegalArgumentException("credentials need a user name and a password");
            }
        }

        /** The value of an {@code Authorization: Basic …} header. */
        public String basicHeader() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    private static final DockerConfig EMPTY = new DockerConfig(Map.of());
    private final Map<String, Credentials> byHost;

    private DockerConfig(Map<String, Credentials> byHost) {
        this.byHost = Map.copyOf(byHost);
    }

    /** No credentials: every registry is asked anonymously. */
    public static DockerConfig empty() {
        return EMPTY;
    }

    /** Reads a docker config file; a missing file means no credentials. */
    public static DockerConfig load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return EMPTY;
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}; no file means no credentials. */
    public static DockerConfig loadDefault() throws IOException {
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null && !dir.isBlank() ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return load(file);
    }

    public static DockerConfig parse(String json) {
        JsonNode auths;
        try {
            auths = Json.read(json.getBytes(StandardCharsets.UTF_8)).path("auths");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a docker config file: " + e.getMessage(), e);
        }
        Map<String, Credentials> byHost = new LinkedHashMap<>();
        auths.fields().forEachRemaining(entry -> {
            JsonNode e = entry.getValue();
            Credentials c = null;
            if (e.hasNonNull("auth") && !e.get("auth").asText().isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(e.get("auth").asText().trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("auths." + entry.getKey() + ".auth is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("auths." + entry.getKey() + ".auth is not base64(user:password)");
                }
                c = new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
            } else if (e.hasNonNull("username") && e.hasNonNull("password")) {
                c = new Credentials(e.get("username").asText(), e.get("password").asText());
            }
            if (c != null) {
                byHost.put(hostKey(entry.getKey()), c);
            }
        });
        return new DockerConfig(byHost);
    }

    /**
     * The credentials for a registry host ({@code host[:port]}); keys written as URLs ({@code https://host/v1/}) match
     * by their host, and Docker Hub's historic key {@code https://index.docker.io/v1/} serves {@code docker.io}.
     */
    public Optional<Credentials> credentialsFor(String registry) {
        String key = hostKey(registry);
        Credentials c = byHost.get(key);
        if (c == null && (key.equals(ImageReference.DOCKER_HUB) || key.equals("registry-1.docker.io"))) {
            c = byHost.getOrDefault("index.docker.io", byHost.get(ImageReference.DOCKER_HUB));
        }
        return Optional.ofNullable(c);
    }

    /** The hosts with credentials (for logs; never the secrets). */
    public java.util.Set<String> hosts() {
        return byHost.keySet();
    }

    private static String hostKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        return slash >= 0 ? k.substring(0, slash) : k;
    }
}
