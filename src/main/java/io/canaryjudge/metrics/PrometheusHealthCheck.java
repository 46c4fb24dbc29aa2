package io.canaryjudge.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Whether Prometheus answers its readiness endpoint: a <em>wellness</em> check ({@code /q/health/well} and the
 * overall {@code /q/health}), not readiness. An outage of Prometheus must not take canary-judge out of its Service:
 * Argo's web provider and Flagger's gates would then get connection errors, count them as Errors and abort every
 * rollout, while canary-judge itself can still answer — measurements retry and the answers stay PENDING (or end
 * INCONCLUSIVE past consecutiveErrorLimit). The last result is also the gauge {@code canary_dependency_up{dependency=
 * "prometheus"}} (1 up, 0 down), refreshed by each check and, when older than 15 s, by a scrape ({@link DependencyGauge}).
 */
@Wellness
@ApplicationScoped
public class PrometheusHealthCheck implements HealthCheck {
    private final PrometheusClient client;
    private final DependencyGauge gauge;

    PrometheusHealthCheck(PrometheusClient client, MeterRegistry registry) {
        this.client = client;
        this.gauge = new DependencyGauge("prometheus", registry, client::ready);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("prometheus").status(probe()).withData("url", client.baseUrl())
                .withData("role", "measurements retry while it is down; readiness does not depend on it").build();
    }

    /** Checks now and records the result. */
    boolean probe() {
        boolean ok = client.ready();
        gauge.record(ok);
        return ok;
    }
}
