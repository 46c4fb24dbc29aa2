package io.canaryjudge.auth;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service, started the way a careless production install would be — no API keys, no mode — exits with
 * the reason instead of serving every endpoint anonymously.
 */
class AuthFailsClosedIT {

    @Test
    void thePackagedServiceWithoutKeysRefusesToStart() throws Exception {
        Path dir = Files.createTempDirectory("auth-closed-it");
        Path log = dir.resolve("service.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        pb.environment().remove("CANARY_AUTH_MODE");
        pb.environment().remove("CANARY_AUTH_API_KEYS");
        pb.environment().put("PORT", "0");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        pb.environment().put("CANARY_TEMPLATES_DIR", "analysis-templates");
        pb.environment().put("CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running without keys: " + Files.readString(log));
            assertNotEquals(0, p.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("no API keys configured: refusing to start"), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }
}
