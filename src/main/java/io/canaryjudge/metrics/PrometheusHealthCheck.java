package io.canaryjudge.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness includes Prometheus: without it no measurement can be taken. */
@Readiness
@ApplicationScoped
public class PrometheusHealthCheck implements HealthCheck {
    private final PrometheusClient client;

    PrometheusHealthCheck(PrometheusClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("prometheus").status(client.ready())
                .withData("url", client.baseUrl()).build();
    }
}
