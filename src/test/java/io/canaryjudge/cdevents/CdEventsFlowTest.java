package io.canaryjudge.cdevents;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.CdEventSchemas;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CDEvents both ways on the real broker and the real Prometheus: a {@code service.deployed} on the deployments topic
 * starts an analysis, its verdict comes back as a schema-valid {@code testsuiterun.finished} on the CDEvents topic,
 * and a CDEvent that cannot start one is dead-lettered with the reason.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class CdEventsFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANARY_HEX = "c".repeat(64);
    private static final String STABLE = "sha256:" + "b".repeat(64);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    KafkaTestClient kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaTestClient(bootstrap);
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    /** A service.deployed of spec v0.5.1 as deploy tooling sends it, the stable digest in customData. */
    private ObjectNode serviceDeployed(String id, String service) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("context").put("specversion", "0.5.1").put("id", id).put("source", "/argocd/prod")
                .put("type", "dev.cdevents.service.deployed.0.3.0").put("timestamp", startedAt.toString());
        ObjectNode content = e.putObject("subject").put("id", "prod/shop/" + service).put("source", "/argocd/prod")
                .putObject("content");
        content.putObject("environment").put("id", "shop");
        content.put("artifactId", "pkg:oci/" + service + "@sha256%3A" + CANARY_HEX
                + "?repository_url=registry.example.com/shop/" + service);
        e.putObject("customData").putObject("canaryJudge").putObject("stable").put("digest", STABLE);
        return e;
    }

    @Test
    void serviceDeployedStartsAnAnalysisWhoseVerdictIsPublishedAsTestSuiteRunFinished() throws Exception {
        String id = UUID.randomUUID().toString();
        ObjectNode deployed = serviceDeployed(id, DemoScenario.BAD_SERVICE);
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicedeployed", deployed));
        // CloudEvents binary mode, as the CDEvents CloudEvents binding and its SDKs send it
        kafka.send("deployments", "shop/checkout", JSON.writeValueAsBytes(deployed), Map.of(
                "ce_specversion", "1.0", "ce_id", id, "ce_source", "/argocd/prod",
                "ce_type", "dev.cdevents.service.deployed.0.3.0", "ce_subject", "prod/shop/checkout",
                "ce_time", startedAt.toString(), "content-type", "application/json"));

        ConsumerRecord<String, byte[]> v = kafka.await("canary-verdicts",
                r -> KafkaTestClient.value(r).contains("\"deploymentId\":\"" + id + "\""), WAIT);
        JsonNode verdict = JSON.readTree(v.value());
        // the per-service mapping of 'checkout' (application.properties, %test) gave template and labels
        assertEquals("ABORT", verdict.path("verdict").asText(), verdict.toPrettyString());
        assertEquals("shop", verdict.path("namespace").asText());
        assertEquals("checkout", verdict.path("service").asText());
        assertEquals("http-golden-signals", verdict.path("template").asText());
        assertEquals("sha256:" + CANARY_HEX, verdict.path("canary").path("digest").asText(), "the purl's digest");
        assertEquals(STABLE, verdict.path("stable").path("digest").asText());
        String analysisId = verdict.path("analysisId").asText();
        given().get("/api/v1/analyses/" + analysisId).then().statusCode(200)
                .body("phase", equalTo("FAILED")).body("deploymentId", equalTo(id));

        ConsumerRecord<String, byte[]> out = kafka.await("cdevents",
                r -> ("testsuiterun-" + analysisId).equals(KafkaTestClient.header(r, "ce_id")), WAIT);
        assertEquals("dev.cdevents.testsuiterun.finished.0.3.0", KafkaTestClient.header(out, "ce_type"));
        assertEquals("1.0", KafkaTestClient.header(out, "ce_specversion"));
        assertEquals("shop/checkout", out.key());
        assertEquals(analysisId, KafkaTestClient.header(out, "ce_subject"), "the binding: ce_subject is subject.id");
        JsonNode finished = JSON.readTree(out.value());
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", finished),
                finished.toPrettyString());
        assertEquals("testsuiterun-" + analysisId, finished.at("/context/id").asText(), "CloudEvent id = CDEvent id");
        assertEquals("failure", finished.at("/subject/content/outcome").asText());
        assertEquals(analysisId, finished.at("/subject/id").asText());
        assertEquals("pkg:oci/checkout@sha256%3A" + CANARY_HEX + "?repository_url=registry.example.com/shop/checkout",
                finished.at("/customData/artifactId").asText());
    }

    @Test
    void structuredServiceUpgradedOfSpecV041StartsAnAnalysisToo() throws Exception {
        String id = UUID.randomUUID().toString();
        ObjectNode upgraded = serviceDeployed(id, DemoScenario.GOOD_SERVICE);
        ObjectNode context = (ObjectNode) upgraded.get("context");
        context.remove("specversion");
        context.put("version", "0.4.1").put("type", "dev.cdevents.service.upgraded.0.2.0");
        ((ObjectNode) upgraded.get("subject")).put("type", "service");
        ObjectNode custom = (ObjectNode) upgraded.at("/customData/canaryJudge");
        custom.put("template", "http-golden-signals");
        custom.putObject("canary").putObject("labels").put("namespace", "shop").put("service", "cart")
                .put("track", "canary");
        ((ObjectNode) custom.get("stable")).putObject("labels").put("namespace", "shop").put("service", "cart")
                .put("track", "stable");
        assertEquals(List.of(), CdEventSchemas.validate("v0.4.1", "serviceupgraded", upgraded));
        ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", id).put("source", "/argocd/prod")
                .put("type", "dev.cdevents.service.upgraded.0.2.0").put("datacontenttype", "application/json");
        ce.set("data", upgraded);
        kafka.send("deployments", "shop/cart", JSON.writeValueAsBytes(ce),
                Map.of("content-type", "application/cloudevents+json"));

        JsonNode verdict = JSON.readTree(kafka.await("canary-verdicts",
                r -> KafkaTestClient.value(r).contains("\"deploymentId\":\"" + id + "\""), WAIT).value());
        assertEquals("PROMOTE", verdict.path("verdict").asText(), verdict.toPrettyString());
        assertEquals("cart", verdict.path("service").asText());
        String analysisId = verdict.path("analysisId").asText();
        JsonNode finished = JSON.readTree(kafka.await("cdevents",
                r -> ("testsuiterun-" + analysisId).equals(KafkaTestClient.header(r, "ce_id")), WAIT).value());
        assertEquals("success", finished.at("/subject/content/outcome").asText());
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "testsuiterunfinished", finished));

        // the next release names no stable digest: it is compared with the canary the PROMOTE above let through
        String next = UUID.randomUUID().toString();
        ObjectNode release = serviceDeployed(next, DemoScenario.GOOD_SERVICE);
        ((ObjectNode) release.at("/subject/content")).put("artifactId", "pkg:oci/cart@sha256%3A" + "d".repeat(64));
        ObjectNode nextCustom = ((ObjectNode) upgraded.get("customData")).deepCopy();
        ((ObjectNode) nextCustom.at("/canaryJudge/stable")).remove("digest");
        release.set("customData", nextCustom);
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicedeployed", release));
        kafka.send("deployments", "shop/cart", JSON.writeValueAsString(release));
        JsonNode second = JSON.readTree(kafka.await("canary-verdicts",
                r -> KafkaTestClient.value(r).contains("\"deploymentId\":\"" + next + "\""), WAIT).value());
        assertEquals("sha256:" + "d".repeat(64), second.path("canary").path("digest").asText(), second.toPrettyString());
        assertEquals("sha256:" + CANARY_HEX, second.path("stable").path("digest").asText(), "the last promoted canary");
    }

    @Test
    void cdEventsThatCannotStartAnAnalysisAreDeadLetteredWithTheReason() throws Exception {
        ObjectNode removed = serviceDeployed(UUID.randomUUID().toString(), "checkout");
        ((ObjectNode) removed.get("context")).put("type", "dev.cdevents.service.removed.0.3.0");
        ObjectNode future = serviceDeployed(UUID.randomUUID().toString(), "checkout");
        ((ObjectNode) future.get("context")).put("type", "dev.cdevents.service.deployed.0.4.0");
        ObjectNode tagged = serviceDeployed(UUID.randomUUID().toString(), "checkout");
        ((ObjectNode) tagged.at("/subject/content")).put("artifactId", "pkg:oci/checkout@v1.2.3");
        ObjectNode unmapped = serviceDeployed(UUID.randomUUID().toString(), "search");
        // a service never promoted, without a stable digest in customData: nothing to compare the canary with
        ObjectNode neverPromoted = serviceDeployed(UUID.randomUUID().toString(), "inventory");
        ObjectNode custom = JSON.createObjectNode().put("template", "http-golden-signals");
        custom.putObject("canary").putObject("labels").put("service", "inventory").put("track", "canary");
        custom.putObject("stable").putObject("labels").put("service", "inventory").put("track", "stable");
        ((ObjectNode) neverPromoted.get("customData")).set("canaryJudge", custom);
        Map<ObjectNode, String> reasons = Map.of(
                removed, "invalid: context.type: CDEvents type 'dev.cdevents.service.removed.0.3.0' does not start an "
                        + "analysis",
                future, "invalid: context.type: unsupported version 0.4.0 of dev.cdevents.service.deployed",
                tagged, "invalid: subject.content.artifactId: package URL version 'v1.2.3' is not an image digest",
                unmapped, "invalid: customData.canaryJudge.template: required (or canary.cdevents.services.search"
                        + ".template)",
                neverPromoted, "invalid: customData.canaryJudge.stable.digest: required: no earlier PROMOTE of "
                        + "shop/inventory names the digest serving now");
        for (ObjectNode e : reasons.keySet()) {
            kafka.send("deployments", "shop/x", JSON.writeValueAsString(e));
        }
        for (Map.Entry<ObjectNode, String> e : reasons.entrySet()) {
            String value = JSON.writeValueAsString(e.getKey());
            ConsumerRecord<String, byte[]> dead = kafka.await("deployments.dlq",
                    r -> value.equals(KafkaTestClient.value(r)), WAIT);
            String reason = KafkaTestClient.header(dead, "reason");
            assertTrue(reason.startsWith(e.getValue()), reason);
        }
    }
}
