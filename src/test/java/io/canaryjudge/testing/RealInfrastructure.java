package io.canaryjudge.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Starts the real parts a test of the service needs: a KRaft Kafka broker in this JVM and a Prometheus
 * process backfilled with {@link DemoScenario}'s workload. Tests read {@code canary.test.started-at}.
 */
public class RealInfrastructure implements QuarkusTestResourceLifecycleManager {
    private EmbeddedKafka kafka;
    private PrometheusServer prometheus;
    private FaultyProxy proxy;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("canary-judge-test");
            Instant startedAt = DemoScenario.startedAt(Instant.now());
            prometheus = PrometheusServer.start(dir.resolve("prometheus"), DemoScenario.workload(startedAt).openMetrics());
            proxy = FaultyProxy.start(prometheus.url());
            kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            // The service talks to Prometheus through a pass-through proxy that tests can tell to fail.
            return Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "canary.prometheus.url", proxy.url(),
                    "canary.test.prometheus-direct-url", prometheus.url(),
                    "canary.test.started-at", startedAt.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }
}
