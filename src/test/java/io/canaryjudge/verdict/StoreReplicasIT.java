package io.canaryjudge.verdict;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged service, started as one of two replicas on the embedded H2 store with partition ownership, exits with
 * the reason instead of joining the consumer group with a store the other replica cannot see.
 */
class StoreReplicasIT {

    @Test
    void thePackagedServiceRefusesPartitionsOnH2WithTwoReplicas() throws Exception {
        Path dir = Files.createTempDirectory("store-replicas-it");
        Path log = dir.resolve("service.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        pb.environment().put("CANARY_AUTH_MODE", "open");
        pb.environment().put("CANARY_REPLICAS", "2");
        pb.environment().remove("CANARY_ANALYSIS_OWNERSHIP");
        pb.environment().put("PORT", "0");
        pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
        pb.environment().put("CANARY_TEMPLATES_DIR", "analysis-templates");
        pb.environment().put("CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running: " + Files.readString(log));
            assertNotEquals(0, p.exitValue(), Files.readString(log));
            assertTrue(Files.readString(log).contains("store=h2 with canary.analysis.ownership=partition and "
                    + "CANARY_REPLICAS=2: refusing to take partitions"), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }
}
