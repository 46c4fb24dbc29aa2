package io.canaryjudge.intake;

import io.canaryjudge.analysis.BrokerProbe;
import io.canaryjudge.metrics.DependencyGauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.Wellness;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.config.AbstractConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Whether the Kafka brokers answer (a cluster description within 3 s, with the service's own connection settings):
 * a <em>wellness</em> check, not readiness — while Kafka is down the REST API and the integrations still answer
 * (events wait in the brokers, verdicts are re-sent when it is back), so the pod stays in its Service. The
 * connector's own readiness checks are turned off for the same reason (application.properties); its liveness checks
 * stay. The result is also the gauge {@code canary_dependency_up{dependency="kafka"}}.
 */
@Wellness
@ApplicationScoped
public class KafkaHealthCheck implements HealthCheck, BrokerProbe {
    private final Map<String, Object> config;
    private final DependencyGauge gauge;
    private Admin admin;

    KafkaHealthCheck(@Identifier("default-kafka-broker") Map<String, Object> config, MeterRegistry registry) {
        this.config = config;
        this.gauge = new DependencyGauge("kafka", registry, this::probe);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("kafka");
        try {
            int nodes = nodes();
            gauge.record(true);
            return b.up().withData("brokers", nodes).withData("bootstrap", String.valueOf(bootstrap())).build();
        } catch (Exception e) {
            gauge.record(false);
            return b.down().withData("bootstrap", String.valueOf(bootstrap()))
                    .withData("error", String.valueOf(e.getMessage()))
                    .withData("role", "events wait in Kafka and verdicts are re-sent; readiness does not depend on it")
                    .build();
        }
    }

    /** Checks now and records the result. */
    boolean probe() {
        return call().getStatus() == HealthCheckResponse.Status.UP;
    }

    @Override
    public boolean reachable() {
        return probe();
    }

    private Object bootstrap() {
        return config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    private synchronized int nodes() throws Exception {
        if (admin == null) {
            Map<String, Object> c = new HashMap<>();
            // the config providers come along: with them the admin client resolves ${provider:path:key} in the other
            // settings (the SASL password read from a mounted Secret) exactly as the channels' clients do
            config.forEach((k, v) -> {
                if (AdminClientConfig.configNames().contains(k) || k.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG)) {
                    c.put(k, v);
                }
            });
            c.put(AdminClientConfig.CLIENT_ID_CONFIG, "canary-judge-health");
            c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
            c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
            admin = Admin.create(c);
        }
        return admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS)
                .size();
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }
}
