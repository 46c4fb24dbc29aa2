package io.canaryjudge.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.canaryjudge.testing.PrometheusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real Prometheus that requires basic auth over TLS (Prometheus' own web config). */
class PrometheusClientTest {
    /** bcrypt of "s3cret" (cost 4), as Prometheus' web config wants it. */
    private static final String HASH = "$2b$04$w59ihmFR4NbYAL3I4NmSr.GmLyDKFHpNRi3h1MeJnkthK9edJqGXK";
    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z").minus(Duration.ofDays(2));
    private static Path dir;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("prom-tls");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(dir.resolve("openssl.log")));
        StringBuilder om = new StringBuilder("# TYPE probe gauge\n");
        for (int i = 0; i <= 10; i++) {
            om.append("probe{track=\"canary\"} ").append(i * 1.5).append(' ').append(T0.getEpochSecond() + 15L * i).append('\n');
        }
        om.append("# EOF\n");
        String web = "tls_server_config:\n  cert_file: " + dir.resolve("cert.pem") + "\n  key_file: " + dir.resolve("key.pem")
                + "\nbasic_auth_users:\n  canary: " + HASH + "\n";
        prometheus = PrometheusServer.start(dir.resolve("prom"), om.toString(), web, true);
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static PrometheusClient client(Optional<String> user, Optional<String> password, Optional<Path> ca,
                                           boolean insecure) {
        return new PrometheusClient(new Config(prometheus.url(), user, password, ca, insecure, Duration.ofSeconds(5)),
                new ObjectMapper());
    }

    @Test
    void thePasswordCanComeFromAFileAsAMountedSecretDoes() throws Exception {
        Path secret = dir.resolve("prometheus-password");
        Files.writeString(secret, "s3cret\n");
        PrometheusClient c = new PrometheusClient(new Config(prometheus.url(), Optional.of("canary"), Optional.empty(),
                Optional.of(dir.resolve("cert.pem")), false, Duration.ofSeconds(5), Optional.of(secret)),
                new ObjectMapper());
        assertEquals(1, c.queryRange("probe{track=\"canary\"}", T0, T0.plusSeconds(150), Duration.ofSeconds(15)).size());
        Files.writeString(secret, "wrong");
        PrometheusClient fresh = new PrometheusClient(new Config(prometheus.url(), Optional.of("canary"),
                Optional.empty(), Optional.of(dir.resolve("cert.pem")), false, Duration.ofSeconds(5), Optional.of(secret)),
                new ObjectMapper());
        PrometheusException e = assertThrows(PrometheusException.class, () -> fresh.queryRange("probe", T0,
                T0.plusSeconds(60), Duration.ofSeconds(15)));
        assertTrue(e.getMessage().contains("401"), e.getMessage());
    }

    @Test
    void basicAuthOverTlsWithTheCaBundleReadsExactValues() {
        List<Series> series = client(Optional.of("canary"), Optional.of("s3cret"), Optional.of(dir.resolve("cert.pem")), false)
                .queryRange("probe{track=\"canary\"}", T0, T0.plusSeconds(150), Duration.ofSeconds(15));
        assertEquals(1, series.size());
        assertEquals(Map.of("__name__", "probe", "track", "canary"), series.get(0).labels());
        assertArrayEquals(new double[] {0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5, 12, 13.5, 15}, series.get(0).values());
    }

    @Test
    void wrongPasswordIsRejectedWithoutRetry() {
        PrometheusException e = assertThrows(PrometheusException.class, () -> client(Optional.of("canary"),
                Optional.of("wrong"), Optional.of(dir.resolve("cert.pem")), false)
                .queryRange("probe", T0, T0.plusSeconds(60), Duration.ofSeconds(15)));
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
    }

    @Test
    void untrustedCertificateFailsAndInsecureSkipVerifyAccepts() {
        PrometheusException e = assertThrows(PrometheusException.class, () -> client(Optional.of("canary"),
                Optional.of("s3cret"), Optional.empty(), false).queryRange("probe", T0, T0.plusSeconds(60), Duration.ofSeconds(15)));
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertEquals(1, client(Optional.of("canary"), Optional.of("s3cret"), Optional.empty(), true)
                .queryRange("probe", T0, T0.plusSeconds(60), Duration.ofSeconds(15)).size());
    }

    @Test
    void readinessNeedsCredentialsToo() {
        assertTrue(client(Optional.of("canary"), Optional.of("s3cret"), Optional.of(dir.resolve("cert.pem")), false).ready());
        assertFalse(client(Optional.empty(), Optional.empty(), Optional.of(dir.resolve("cert.pem")), false).ready());
    }

    /**
     * A Prometheus that accepts and never answers (the real one, frozen with SIGSTOP): each attempt ends at the read
     * timeout with a retryable error, and once it answers again the same client works (no dead pooled connection).
     */
    @Test
    void frozenPrometheusTimesOutAtTheReadTimeoutAndTheClientRecovers() throws Exception {
        PrometheusClient c = new PrometheusClient(new Config(prometheus.url(), Optional.of("canary"), Optional.of("s3cret"),
                Optional.of(dir.resolve("cert.pem")), false, Duration.ofMillis(800)), new ObjectMapper());
        assertEquals(1, c.queryRange("probe", T0, T0.plusSeconds(60), Duration.ofSeconds(15)).size());
        signal("STOP");
        long t0 = System.nanoTime();
        PrometheusException e;
        try {
            e = assertThrows(PrometheusException.class, () -> c.queryRange("probe", T0, T0.plusSeconds(60),
                    Duration.ofSeconds(15)));
        } finally {
            signal("CONT");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("did not answer within PT0.8S"), e.getMessage());
        // two attempts (retries = 1) of 0.8 s each and a 10 ms backoff; far below what a missing timeout would take
        assertTrue(seconds >= 1.6 && seconds < 10, "took " + seconds + " s");
        assertEquals(1, c.queryRange("probe", T0, T0.plusSeconds(60), Duration.ofSeconds(15)).size());
    }

    private static void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(prometheus.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
    }

    record Config(String url, Optional<String> username, Optional<String> password, Optional<Path> ca,
                          boolean insecure, Duration readTimeout, Optional<Path> passwordFile) implements PrometheusConfig {
        Config(String url, Optional<String> username, Optional<String> password, Optional<Path> ca, boolean insecure,
               Duration readTimeout) {
            this(url, username, password, ca, insecure, readTimeout, Optional.empty());
        }

        @Override public Duration connectTimeout() { return Duration.ofSeconds(2); }
        @Override public int retries() { return 1; }
        @Override public Duration backoff() { return Duration.ofMillis(10); }
        @Override public int maxConcurrency() { return 2; }
        @Override public java.util.OptionalInt backtestConcurrency() { return java.util.OptionalInt.empty(); }
        @Override public MemorySize maxResponseSize() { return new MemorySize(java.math.BigInteger.valueOf(32L << 20)); }
        @Override public Optional<String> bearerToken() { return Optional.empty(); }
        @Override public Optional<Path> bearerTokenFile() { return Optional.empty(); }
        @Override public Optional<Path> passwordFile() { return passwordFile; }
        @Override public Map<String, String> headers() { return Map.of("X-Scope-OrgID", "team-a"); }
        @Override public Tls tls() {
            return new Tls() {
                @Override public Optional<Path> caFile() { return ca; }
                @Override public boolean insecureSkipVerify() { return insecure; }
            };
        }
    }

}
