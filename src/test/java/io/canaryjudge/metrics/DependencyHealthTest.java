package io.canaryjudge.metrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.FaultyProxy;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Readiness says whether this pod can answer, not whether its dependencies are up: with Prometheus down (the real
 * Prometheus behind a proxy told to fail its readiness endpoint) the pod stays ready and the Argo web provider
 * still answers 200, while the wellness checks and canary_dependency_up say what is down. Kafka, the real broker,
 * is reported the same way.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class DependencyHealthTest {

    @ConfigProperty(name = "canary.prometheus.url")
    String proxyUrl;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void everyDependencyUpIsReportedAsWellness() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", not(hasItem("prometheus")))
                .body("checks.name", not(hasItem("kafka")));
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'prometheus' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'kafka' }.data.brokers", equalTo(1));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/q/metrics").asString()
                .contains("canary_dependency_up{dependency=\"kafka\"} 1.0"));
        given().get("/q/metrics").then().body(containsString("canary_dependency_up{dependency=\"prometheus\"} 1.0"));
    }

    @Test
    void aPrometheusOutageLeavesThePodReadyAndTheIntegrationsAnswering() {
        FaultyProxy.fault(proxyUrl, "/-/ready", 0, "503", 0);
        try {
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            given().get("/q/health/well").then().statusCode(503)
                    .body("checks.find { it.name == 'prometheus' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'kafka' }.status", equalTo("UP"));
            given().get("/q/health").then().statusCode(503);
            given().get("/q/metrics").then().body(containsString("canary_dependency_up{dependency=\"prometheus\"} 0.0"));
            // Argo's web provider gets an answer (a verdict or PENDING), never a connection error from an empty Service
            given().queryParam("namespace", DemoScenario.NAMESPACE).queryParam("rollout", "cart-outage")
                    .queryParam("service", DemoScenario.GOOD_SERVICE)
                    .queryParam("canaryHash", "abc123").queryParam("stableHash", "def456")
                    .queryParam("canaryLabels", "namespace=shop,service=cart,track=canary")
                    .queryParam("stableLabels", "namespace=shop,service=cart,track=stable")
                    .queryParam("startedAt", startedAt.toString())
                    .get("/api/v1/argo/verdict").then().statusCode(200);
        } finally {
            FaultyProxy.clear(proxyUrl, "/-/ready");
        }
        given().get("/q/health/well").then().statusCode(200);
    }
}
