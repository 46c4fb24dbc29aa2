package io.canaryjudge.rollback;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.TargetKind;
import io.canaryjudge.testing.CdEventSchemas;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.time.Instant;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The whole path with rollback on: a worse canary on Kafka, judged on the real Prometheus, ABORT, the Deployment on
 * the (mock) API server back at the stable digest, a CDEvents rolledback event on canary-verdicts, and the outcome
 * in the REST view.
 */
@QuarkusTest
@TestProfile(RollbackFlowTest.RollbackOn.class)
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class RollbackFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Rollback on for namespace shop, on a database of its own. */
    public static class RollbackOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "canary.rollback.enabled", "true",
                    "canary.rollback.namespaces", "shop",
                    "canary.rollback.verdict-base-url", "https://judge.example.com/",
                    "quarkus.datasource.jdbc.url",
                    "jdbc:h2:mem:canary-rollback-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        }
    }

    @KubernetesTestServer
    KubernetesServer mockServer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void abortRollsTheDeploymentBackAndPublishesTheOutcome() throws Exception {
        KubernetesClient k8s = mockServer.getClient();
        Cluster cluster = new Cluster(k8s);
        cluster.deployment("checkout", Cluster.image(Cluster.STABLE), Cluster.image(Cluster.CANARY));
        String eventId = "evt-rollback-" + System.nanoTime();

        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            kafka.send("deployments", "shop/checkout", DemoScenario.event(eventId, DemoScenario.BAD_SERVICE, startedAt));
            ConsumerRecord<String, byte[]> verdict = kafka.await("canary-verdicts",
                    r -> KafkaTestClient.value(r).contains("\"eventId\":\"" + eventId + "\""), Duration.ofSeconds(60));
            JsonNode v = JSON.readTree(verdict.value());
            assertEquals("ABORT", v.path("verdict").asText());
            String analysisId = v.path("analysisId").asText();

            ConsumerRecord<String, byte[]> rolledBack = kafka.await("canary-verdicts",
                    r -> ("rollback-" + analysisId).equals(KafkaTestClient.header(r, "ce_id")), Duration.ofSeconds(60));
            assertEquals("dev.cdevents.service.rolledback.0.3.0", KafkaTestClient.header(rolledBack, "ce_type"));
            assertEquals("shop/checkout", rolledBack.key());
            JsonNode e = JSON.readTree(rolledBack.value());
            assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicerolledback", e), e.toPrettyString());
            // the CDEvents CloudEvents binding: ce_subject is subject.id, ce_time the CDEvent's timestamp
            assertEquals(e.at("/subject/id").asText(), KafkaTestClient.header(rolledBack, "ce_subject"));
            assertEquals(Instant.parse(e.at("/context/timestamp").asText()),
                    Instant.parse(KafkaTestClient.header(rolledBack, "ce_time")));
            assertEquals("APPLIED", e.path("customData").path("outcome").asText(), e.toPrettyString());
            assertEquals("https://judge.example.com/api/v1/analyses/" + analysisId,
                    e.path("customData").path("verdictUrl").asText());
            assertEquals("pkg:oci/checkout@" + Cluster.STABLE.replace(":", "%3A") + "?repository_url=" + Cluster.REPO,
                    e.path("subject").path("content").path("artifactId").asText());

            assertEquals(Cluster.image(Cluster.STABLE), cluster.deploymentImage("checkout"));
            given().get("/api/v1/analyses/" + analysisId).then().statusCode(200)
                    .body("rollback.state", equalTo("APPLIED"))
                    .body("rollback.strategy", equalTo("Deployment"))
                    .body("rollback.attempts", equalTo(1))
                    .body("rollback.timeToRestoreSeconds", notNullValue())
                    .body("rollback.publishedAt", notNullValue());
        }
    }

    @Inject
    @Any
    Instance<Strategy> strategies;

    /** The strategies are CDI beans, one per target kind, each built for the kind it says it serves. */
    @Test
    void everyTargetKindHasExactlyOneStrategyBean() {
        Map<TargetKind, List<String>> byKind = new EnumMap<>(TargetKind.class);
        strategies.forEach(s -> byKind.computeIfAbsent(s.kind(), k -> new ArrayList<>()).add(s.getClass().getSimpleName()));
        assertEquals(Map.of(TargetKind.DEPLOYMENT, List.of("DeploymentRollback"),
                TargetKind.ROLLOUT, List.of("ArgoRolloutRollback"),
                TargetKind.GITOPS, List.of("GitOpsRollback")), byKind);
    }
}
