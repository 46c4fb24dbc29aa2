package io.canaryjudge.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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
        return new PrometheusClient(new Config(prometheus.url(), user, password, ca, insecure), new ObjectMapper());
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

    record Config(String url, Optional<String> username, Optional<String> password, Optional<Path> ca,
                          boolean insecure) implements PrometheusConfig {
        @Override public Duration connectTimeout() { return Duration.ofSeconds(2); }
        @Override public Duration readTimeout() { return Duration.ofSeconds(5); }
        @Override public int retries() { return 1; }
        @Override public Duration backoff() { return Duration.ofMillis(10); }
        @Override public int maxConcurrency() { return 2; }
        @Override public Optional<String> bearerToken() { return Optional.empty(); }
        @Override public Map<String, String> headers() { return Map.of("X-Scope-OrgID", "team-a"); }
        @Override public Tls tls() {
            return new Tls() {
                @Override public Optional<Path> caFile() { return ca; }
                @Override public boolean insecureSkipVerify() { return insecure; }
            };
        }
    }

}
