package io.canaryjudge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real OCI registry (Debian's {@code docker-registry}: the CNCF distribution registry) on a free loopback port,
 * with filesystem storage in a temporary directory, optionally behind htpasswd basic auth (bcrypt entries written by
 * apache2-utils' {@code htpasswd -B}). Its access log (one line per request) is kept so that tests can count what
 * a client really asked. Pushing uses the registry's own HTTP API (monolithic blob upload, manifest PUT).
 */
public final class RegistryServer implements AutoCloseable {
    private static RegistryServer shared;

    private final Process process;
    private final Path dir;
    private final int port;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RegistryServer(Process process, Path dir, int port, String authorization) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.authorization = authorization;
    }

    /**
     * One anonymous registry for the whole test JVM, started on first use and stopped (by its process id) when the
     * JVM exits. Tests keep to their own repositories in it.
     */
    public static synchronized RegistryServer shared() {
        if (shared == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("canary-registry");
                shared = start(dir);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            RegistryServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                s.close();
                // the images and signatures the tests pushed: nothing of them outlives the JVM
                try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException | RuntimeException e) {
                    // best effort at exit
                }
            }, "stop-registry-" + s.pid()));
        }
        return shared;
    }

    /** An anonymous registry of its own (for tests that stop or freeze it). */
    public static RegistryServer start(Path dir) {
        return start(dir, null, null, null, null);
    }

    /** A registry that asks for HTTP basic auth, its one user in an htpasswd file of bcrypt entries. */
    public static RegistryServer startWithBasicAuth(Path dir, String user, String password) {
        return start(dir, user, password, null, null);
    }

    /**
     * A registry that asks for bearer tokens ({@code auth: token:}): it sends clients to {@code realm} and accepts
     * JWTs from {@code issuer} for {@code service} whose signing certificate chains to {@code rootCertBundle}.
     *
     * @param pushAuthorization the Authorization header this helper pushes with (a token allowing push)
     */
    public static RegistryServer startWithTokenAuth(Path dir, String realm, String service, String issuer,
                                                    Path rootCertBundle, String pushAuthorization) {
        String auth = "auth:\n  token:\n    realm: " + realm + "\n    service: " + service + "\n    issuer: " + issuer
                + "\n    rootcertbundle: " + rootCertBundle + "\n";
        return start(dir, null, null, auth, pushAuthorization);
    }

    private static RegistryServer start(Path dir, String user, String password, String authConfig,
                                        String pushAuthorization) {
        try {
            String binary = binary("docker-registry");
            Files.createDirectories(dir);
            Path storage = dir.resolve("storage");
            Files.createDirectories(storage);
            int port = EmbeddedKafka.freePort();
            StringBuilder config = new StringBuilder()
                    .append("version: 0.1\n")
                    .append("log:\n  level: warn\n  accesslog:\n    disabled: false\n")
                    .append("storage:\n  filesystem:\n    rootdirectory: ").append(storage).append('\n')
                    .append("  delete:\n    enabled: true\n")
                    .append("http:\n  addr: 127.0.0.1:").append(port).append('\n')
                    .append("  secret: canary-judge-test-secret\n");
            String authorization = null;
            if (user != null) {
                Path htpasswd = dir.resolve("htpasswd");
                Files.writeString(htpasswd, bcryptEntry(user, password, dir));
                config.append("auth:\n  htpasswd:\n    realm: canary-test-registry\n    path: ").append(htpasswd).append('\n');
                authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8));
            }
            if (authConfig != null) {
                config.append(authConfig);
                authorization = pushAuthorization;
            }
            Path configFile = dir.resolve("config.yml");
            Files.writeString(configFile, config.toString());
            Process p = new ProcessBuilder(binary, "serve", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
            RegistryServer server = new RegistryServer(p, dir, port, authorization);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start docker-registry", e);
        }
    }

    /** {@code 127.0.0.1:<port>}: the registry part of image references, and the docker config's key. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return "http://" + host();
    }

    /** The registry process (tests freeze it with SIGSTOP to see a registry that accepts and never answers). */
    public long pid() {
        return process.pid();
    }

    /** Sends a signal to the registry by its process id ({@code STOP}, {@code CONT}). */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Uploads a blob (POST, then a monolithic PUT with its digest) and returns {@code sha256:<hex>}. */
    public String pushBlob(String repository, byte[] bytes) {
        String digest = digest(bytes);
        HttpResponse<String> start = send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(start, 202, "start blob upload");
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(url()).resolve(location);
        String sep = upload.getQuery() == null ? "?" : "&";
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        expect(put, 201, "finish blob upload");
        return digest;
    }

    /** PUTs a manifest under a tag or digest and returns its digest. */
    public String putManifest(String repository, String reference, String mediaType, byte[] bytes) {
        HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        expect(put, 201, "put manifest " + repository + ":" + reference);
        return digest(bytes);
    }

    /** GETs a manifest's bytes (OCI image manifest or index). */
    public byte[] getManifest(String repository, String reference) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/manifests/" + reference))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("get manifest " + repository + ":" + reference + ": HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Overwrites a stored blob's bytes on disk, as a corrupted disk or a malicious mirror would: the registry checks
     * digests when blobs are pushed, not when it serves them.
     */
    public void overwriteStoredBlob(String digest, byte[] bytes) {
        String hex = digest.substring("sha256:".length());
        Path data = dir.resolve("storage/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
        try {
            if (!Files.exists(data)) {
                throw new IllegalStateException("no stored blob " + data);
            }
            Files.write(data, bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The access log's request lines ({@code GET /v2/… HTTP/1.1" 200}) so far. */
    public List<String> accessLog() {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("registry.log"), StandardCharsets.UTF_8)) {
                int q = line.indexOf("] \"");
                if (q > 0 && !line.startsWith("time=")) {
                    lines.add(line.substring(q + 3));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many requests of {@code method} the registry logged for paths containing {@code pathPart}. */
    public long requests(String method, String pathPart) {
        Pattern p = Pattern.compile("^" + Pattern.quote(method) + " [^ ]*" + Pattern.quote(pathPart));
        // the access log is written as each answer completes; give the last line a moment to land
        sleep(50);
        return accessLog().stream().filter(l -> p.matcher(l).find()).count();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String digest(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("registry " + host() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited:\n" + Files.readString(dir.resolve("registry.log")));
            }
            try {
                // /v2/ answers 200, or 401 behind auth: either way it serves
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200 || r.statusCode() == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        close();
        throw new IllegalStateException("docker-registry not ready within 30 s:\n" + Files.readString(dir.resolve("registry.log")));
    }

    private static String bcryptEntry(String user, String password, Path dir) throws IOException {
        String htpasswd = binary("htpasswd");
        Path out = dir.resolve("htpasswd.out");
        Process p = new ProcessBuilder(htpasswd, "-Bbn", user, password).redirectErrorStream(false)
                .redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("htpasswd -Bbn failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        String entry = Files.readString(out).strip();
        Files.delete(out);
        if (!entry.startsWith(user + ":$2")) {
            throw new IllegalStateException("htpasswd wrote no bcrypt entry");
        }
        return entry + "\n";
    }

    private static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return d + "/" + name;
            }
        }
        String pkg = name.equals("htpasswd") ? "apache2-utils" : name;
        throw new IllegalStateException(name + " is not installed: apt-get install -y --no-install-recommends " + pkg);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
