package io.canaryjudge.supplychain;

import static io.canaryjudge.supplychain.CosignFixtures.pushImage;
import static io.canaryjudge.supplychain.CosignFixtures.pushSignatures;
import static io.canaryjudge.supplychain.CosignFixtures.signedLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.canaryjudge.supplychain.VerificationResult.Status;
import io.canaryjudge.testing.RegistryServer;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bearer token flow against the real registry in token mode: the registry answers 401 with
 * {@code WWW-Authenticate: Bearer realm=…,service=…,scope=…}, the client gets a token from the realm with the docker
 * config's credentials, and the registry itself checks that token (issuer, audience, expiry, access, and an ES256
 * signature by a certificate chaining to its root bundle). No token server is packaged for Debian, so the realm is
 * a minimal issuer here: it checks the basic credentials and signs a JWT with a key and certificate made by openssl;
 * everything the client is tested against is decided by the real registry.
 */
class RegistryTokenAuthTest {
    static final String SERVICE = "canary-test-registry";
    static final String ISSUER = "canary-test-issuer";
    @TempDir
    static Path dir;
    static TokenIssuer issuer;
    static RegistryServer registry;
    static KeyPair key;
    static ImageReference image;

    @BeforeAll
    static void setUp() throws Exception {
        issuer = TokenIssuer.start(dir.resolve("issuer"), "deployer", "t0ken-pass");
        String pushToken = "Bearer " + issuer.token("deployer", "team/tokened", List.of("pull", "push"));
        registry = RegistryServer.startWithTokenAuth(dir.resolve("registry"), issuer.realm(), SERVICE, ISSUER,
                issuer.certificate(), pushToken);
        key = CosignFixtures.p256();
        image = pushImage(registry, "team/tokened", "v1");
        pushSignatures(registry, image, List.of(signedLayer(image, key.getPrivate())));
    }

    @AfterAll
    static void tearDown() {
        if (registry != null) {
            registry.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    static RegistryClient client(DockerConfig config, Set<String> insecure) {
        return new RegistryClient(RegistryClient.Settings.defaults().withTimeout(Duration.ofSeconds(5))
                .withInsecureHosts(insecure).withCredentials(config));
    }

    static DockerConfig config(String user, String password) {
        return DockerConfig.parse("{\"auths\":{\"" + registry.host() + "\":{\"auth\":\"" + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
    }

    @Test
    void aTokenFromTheRealmOpensTheRegistryAndIsReusedForTheSameScope() {
        issuer.requests.clear();
        RegistryClient client = client(config("deployer", "t0ken-pass"), Set.of(registry.host(), issuer.host()));
        CosignVerifier verifier = new CosignVerifier(client, List.of(AcceptedKey.of(key.getPublic())));

        VerificationResult r = verifier.verify(image);

        assertEquals(Status.VERIFIED, r.status(), r.reason());
        assertEquals(1, issuer.requests.size(), issuer.requests.toString());
        String asked = issuer.requests.get(0);
        assertTrue(asked.contains("service=" + SERVICE) && asked.contains("scope=repository:team/tokened:pull")
                && asked.contains("user=deployer"), asked);
        // the registry challenged the anonymous request and served the one that carried the token
        List<String> sigTag = registry.accessLog().stream()
                .filter(l -> l.startsWith("GET /v2/team/tokened/manifests/" + image.signatureTag())).toList();
        assertTrue(sigTag.size() >= 2 && sigTag.get(sigTag.size() - 2).contains("\" 401 ")
                && sigTag.get(sigTag.size() - 1).contains("\" 200 "), sigTag.toString());

        verifier.invalidateAll();
        assertEquals(Status.VERIFIED, verifier.verify(image).status());
        assertEquals(1, issuer.requests.size(), "the token is held until it expires");
    }

    @Test
    void withoutCredentialsTheRealmRefusesAndItIsCouldNotCheck() {
        RegistryClient client = client(DockerConfig.empty(), Set.of(registry.host(), issuer.host()));
        VerificationResult r = new CosignVerifier(client, List.of(AcceptedKey.of(key.getPublic()))).verify(image);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().startsWith("registry refused access: token service 127.0.0.1 refused anonymous access to "
                + registry.host() + " (HTTP 401)"), r.reason());
    }

    @Test
    void credentialsAreNotSentToAPlainHttpRealmThatIsNotConfiguredInsecure() {
        issuer.requests.clear();
        RegistryClient client = client(config("deployer", "t0ken-pass"), Set.of(registry.host()));
        VerificationResult r = new CosignVerifier(client, List.of(AcceptedKey.of(key.getPublic()))).verify(image);

        assertEquals(Status.UNAVAILABLE, r.status(), r.reason());
        assertTrue(r.reason().contains("is neither HTTPS nor a host configured as insecure"), r.reason());
        assertEquals(0, issuer.requests.size());
    }

    /** The realm: checks HTTP basic credentials, answers {"token": JWT, "expires_in": 300} for the asked scope. */
    static final class TokenIssuer implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final HttpServer server;
        private final PrivateKey signingKey;
        private final String certificateDer;
        private final Path certificate;

        private TokenIssuer(HttpServer server, PrivateKey signingKey, String certificateDer, Path certificate) {
            this.server = server;
            this.signingKey = signingKey;
            this.certificateDer = certificateDer;
            this.certificate = certificate;
        }

        static TokenIssuer start(Path dir, String user, String password) throws Exception {
            Files.createDirectories(dir);
            Path keyFile = dir.resolve("key.pem");
            Path certFile = dir.resolve("cert.pem");
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile.toString(), "-out", certFile.toString(),
                    "-days", "2", "-subj", "/CN=" + ISSUER).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("openssl.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl req failed: " + Files.readString(dir.resolve("openssl.log")));
            }
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyFile, "PRIVATE KEY")));
            String certDer = Base64.getEncoder().encodeToString(pemBody(certFile, "CERTIFICATE"));
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            TokenIssuer issuer = new TokenIssuer(server, key, certDer, certFile);
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            server.createContext("/token", exchange -> {
                String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                Map<String, String> params = new HashMap<>();
                for (String kv : query.split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        params.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
                issuer.requests.add("service=" + params.get("service") + " scope=" + params.get("scope") + " user="
                        + (expected.equals(auth) ? user : auth == null ? "(anonymous)" : "(wrong)"));
                byte[] body;
                int status;
                if (!expected.equals(auth)) {
                    status = 401;
                    body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8);
                } else {
                    String scope = params.getOrDefault("scope", "");
                    String[] parts = scope.split(":");
                    List<String> actions = parts.length == 3 ? List.of(parts[2].split(",")) : List.of();
                    try {
                        body = ("{\"token\":\"" + issuer.token(user, parts.length == 3 ? parts[1] : "", actions)
                                + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
                        status = 200;
                    } catch (Exception e) {
                        status = 500;
                        body = e.toString().getBytes(StandardCharsets.UTF_8);
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return issuer;
        }

        /** A JWT the registry accepts: ES256, signed by the key whose certificate is in x5c and in its root bundle. */
        String token(String subject, String repository, List<String> actions) throws Exception {
            long now = Instant.now().getEpochSecond();
            String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"" + certificateDer + "\"]}";
            String acts = String.join(",", actions.stream().map(a -> "\"" + a + "\"").toList());
            String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + SERVICE + "\",\"exp\":"
                    + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
                    + "\",\"access\":[{\"type\":\"repository\",\"name\":\"" + repository + "\",\"actions\":[" + acts + "]}]}";
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            String signingInput = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(signingKey);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(s.sign());
        }

        String host() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        String realm() {
            return "http://" + host() + "/token";
        }

        Path certificate() {
            return certificate;
        }

        @Override
        public void close() {
            server.stop(0);
        }

        private static byte[] pemBody(Path file, String type) throws Exception {
            String pem = Files.readString(file);
            int start = pem.indexOf("-----BEGIN " + type + "-----");
            int end = pem.indexOf("-----END " + type + "-----");
            if (start < 0 || end < 0) {
                throw new IllegalStateException(file + " has no " + type);
            }
            return Base64.getMimeDecoder().decode(pem.substring(start + type.length() + 16, end));
        }
    }
}
