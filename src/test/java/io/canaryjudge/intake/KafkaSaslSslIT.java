package io.canaryjudge.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The packaged service on a broker that only lets it in over SASL_SSL with SCRAM-SHA-512, configured as the prod
 * overlay configures it: environment variables only ({@code KAFKA_*} become {@code kafka.*} properties, which every
 * channel and the Kafka wellness check take), the password and the certificate authority read from files laid out
 * as a mounted Secret (Kafka's DirectoryConfigProvider; the JAAS line names the file, never the password). A
 * canary.started event in, its verdict out, over the secured listener; then a wrong password and an untrusted
 * authority, each visible as Kafka DOWN in /q/health/well with the client's own error.
 */
class KafkaSaslSslIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "canary-judge";
    private static final String PASSWORD = "scram-0123456789abcdef";

    @Test
    void consumesAndPublishesOverSaslSslAndShowsAWrongPasswordOrAnUntrustedAuthority() throws Exception {
        Path dir = Files.createTempDirectory("kafka-sasl-ssl-it");
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithSaslSsl(dir.resolve("kafka"), USER, PASSWORD);
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                     DemoScenario.workload(startedAt).openMetrics());
             KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            EmbeddedKafka.SaslSsl secure = kafka.saslSsl();
            Path secret = secret(dir.resolve("secret"), PASSWORD, secure.authority().certificate());
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"),
                    env(secure, secret, prometheus, dir.resolve("store")))) {
                JsonNode up = awaitKafkaCheck(service, "UP");
                assertEquals(secure.bootstrapServers(), up.path("data").path("bootstrap").asText(),
                        "the service knows only the SASL_SSL listener");
                String id = "evt-sasl-" + System.nanoTime();
                // the test's own client uses the PLAINTEXT listener of the same broker; the service never sees it
                client.send("deployments", "shop/checkout", DemoScenario.event(id, DemoScenario.BAD_SERVICE, startedAt));
                ConsumerRecord<String, byte[]> r = client.await("canary-verdicts",
                        rec -> KafkaTestClient.value(rec).contains("\"eventId\":\"" + id + "\""), Duration.ofSeconds(60));
                JsonNode verdict = JSON.readTree(r.value());
                assertEquals("ABORT", verdict.path("verdict").asText(), verdict.toPrettyString());
                assertEquals("shop/checkout", r.key());
                assertEquals("io.canaryjudge.verdict.v1", KafkaTestClient.header(r, "ce_type"));
            }
            // the configuration names the file; the password itself never reaches the log (Kafka prints the JAAS
            // line as [hidden] and resolves the reference only inside the client)
            assertFalse(Files.readString(dir.resolve("service.log")).contains(PASSWORD));

            Path wrongPassword = secret(dir.resolve("secret-wrong"), "not-" + PASSWORD, secure.authority().certificate());
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service-wrong-password.log"),
                    env(secure, wrongPassword, prometheus, dir.resolve("store-wrong-password")))) {
                JsonNode down = awaitKafkaCheck(service, "DOWN");
                String error = down.path("data").path("error").asText();
                assertTrue(error.contains("Authentication failed") && error.contains("SCRAM-SHA-512"), down.toString());
            }
            assertFalse(Files.readString(dir.resolve("service-wrong-password.log")).contains(PASSWORD));

            TestCertificates.Authority other = TestCertificates.authority(dir.resolve("other-ca"), "other-ca");
            Path untrusted = secret(dir.resolve("secret-untrusted"), PASSWORD, other.certificate());
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service-untrusted.log"),
                    env(secure, untrusted, prometheus, dir.resolve("store-untrusted")))) {
                JsonNode down = awaitKafkaCheck(service, "DOWN");
                String error = down.path("data").path("error").asText();
                assertTrue(error.contains("SSL handshake failed"), down.toString());
            }
        }
    }

    /** The files of the Secret canary-judge-kafka as Kubernetes mounts them: one file per key, no newline added. */
    private static Path secret(Path dir, String password, Path ca) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("password"), password);
        Files.copy(ca, dir.resolve("ca.crt"));
        return dir;
    }

    /** The prod overlay's Kafka settings (deploy/envs/prod) with this test's paths and addresses. */
    private static Map<String, String> env(EmbeddedKafka.SaslSsl secure, Path secret, PrometheusServer prometheus,
                                           Path store) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", secure.bootstrapServers());
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", EmbeddedKafka.SCRAM_MECHANISM);
        env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", secret.resolve("ca.crt").toString());
        env.put("KAFKA_CONFIG_PROVIDERS", "mounted");
        env.put("KAFKA_CONFIG_PROVIDERS_MOUNTED_CLASS", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        env.put("KAFKA_CONFIG_PROVIDERS_MOUNTED_PARAM_ALLOWED_PATHS", secret.toString());
        env.put("KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + secure.username() + "\" password=\"$${mounted:" + secret + ":password}\";");
        env.put("CANARY_PROMETHEUS_URL", prometheus.url());
        env.put("CANARY_DB_URL", "jdbc:h2:file:" + store.toAbsolutePath() + "/canary");
        return env;
    }

    /** The service's Kafka wellness check once it reports {@code status} (it checks on each call). */
    private static JsonNode awaitKafkaCheck(ServiceProcess service, String status) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        JsonNode last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/q/health/well"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode check : JSON.readTree(r.body()).path("checks")) {
                if (check.path("name").asText().equals("kafka")) {
                    last = check;
                    if (status.equals(check.path("status").asText())) {
                        return check;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the kafka wellness check did not become " + status + ": " + last);
    }
}
