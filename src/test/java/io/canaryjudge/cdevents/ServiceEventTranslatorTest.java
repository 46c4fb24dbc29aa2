package io.canaryjudge.cdevents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.InvalidEventException;
import io.canaryjudge.testing.CdEventSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceEventTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEX = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
    private static final String STABLE = "sha256:" + "b".repeat(64);
    /** These tests name the stable digest or fail before it is needed; the store lookup is CdEventsFlowTest's. */
    private static final ServiceEventTranslator.StableDigests NOT_ASKED = (ns, svc, at, id) -> {
        throw new AssertionError("the store is consulted only when customData names no stable digest");
    };
    private static final ServiceEventTranslator NO_MAPPING = new ServiceEventTranslator(JSON, config(Map.of()), NOT_ASKED);

    /** The spec's own example event of {@code version}, with our customData. */
    static ObjectNode specExample(String version) throws IOException {
        ObjectNode e;
        try (InputStream in = ServiceEventTranslatorTest.class.getClassLoader()
                .getResourceAsStream("cdevents/" + version + "/conformance-service_deployed.json")) {
            e = (ObjectNode) JSON.readTree(in);
        }
        ObjectNode custom = e.putObject("customData").putObject("canaryJudge");
        custom.put("service", "checkout").put("namespace", "shop").put("template", "http-golden-signals");
        custom.putObject("canary").putObject("labels").put("track", "canary");
        custom.putObject("stable").put("digest", STABLE).putObject("labels").put("track", "stable");
        custom.putObject("target").put("kind", "Deployment").put("name", "checkout").put("container", "app");
        return e;
    }

    @Test
    void theSpecExampleOfV051WithCustomDataIsACanaryStart() throws Exception {
        ObjectNode cd = specExample("v0.5.1");
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicedeployed", cd), "a real CDEvent");
        assertTrue(NO_MAPPING.accepts(cd));

        JsonNode plain = NO_MAPPING.translate(cd);

        assertEquals("canary.started", plain.path("type").asText());
        assertTrue(plain.path("id").asText().matches("cdevents-[0-9a-f]{32}"), plain.path("id").asText());
        assertEquals("271069a8-fc18-44f1-b38f-9d70a1695819", plain.path("deploymentId").asText());
        assertEquals("shop", plain.path("namespace").asText());
        assertEquals("checkout", plain.path("service").asText(), "customData names the service");
        assertEquals("sha256:" + HEX, plain.path("canary").path("digest").asText(), "the purl's digest, decoded");
        assertEquals(STABLE, plain.path("stable").path("digest").asText());
        assertEquals("canary", plain.path("canary").path("labels").path("track").asText());
        assertEquals("http-golden-signals", plain.path("template").asText());
        assertEquals("2023-03-20T14:27:05.315384Z", plain.path("startedAt").asText());
        assertEquals("test123", plain.path("environment").asText());
        assertEquals("Deployment", plain.path("target").path("kind").asText());
        assertFalse(plain.has("image"), "the example's purl has no repository_url");
    }

    @Test
    void theSpecExampleOfV041IsAcceptedToo() throws Exception {
        ObjectNode cd = specExample("v0.4.1");
        assertEquals(List.of(), CdEventSchemas.validate("v0.4.1", "servicedeployed", cd));
        assertEquals("sha256:" + HEX, NO_MAPPING.translate(cd).path("canary").path("digest").asText());
    }

    @Test
    void theSameEventIdFromAnotherSourceIsAnotherAnalysis() throws Exception {
        ObjectNode a = specExample("v0.5.1");
        ObjectNode b = specExample("v0.5.1");
        ((ObjectNode) b.get("context")).put("source", "/another/tool");
        assertEquals(NO_MAPPING.translate(a).path("id"), NO_MAPPING.translate(specExample("v0.5.1")).path("id"));
        assertNotEquals(NO_MAPPING.translate(a).path("id"), NO_MAPPING.translate(b).path("id"));
    }

    @Test
    void thePerServiceMappingFillsWhatCustomDataDoesNotSay() throws Exception {
        ServiceEventTranslator mapped = new ServiceEventTranslator(JSON, config(Map.of("checkout", defaults())),
                NOT_ASKED);
        ObjectNode cd = specExample("v0.5.1");
        ((ObjectNode) cd.get("subject")).put("id", "prod/shop/checkout");
        ((ObjectNode) cd.at("/subject/content")).put("artifactId",
                "pkg:oci/checkout@sha256%3A" + HEX + "?repository_url=ghcr.io/acme/checkout");
        ObjectNode only = JSON.createObjectNode();
        only.putObject("stable").put("digest", STABLE);
        ((ObjectNode) cd.get("customData")).set("canaryJudge", only);
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicedeployed", cd));

        JsonNode plain = mapped.translate(cd);

        assertEquals("checkout", plain.path("service").asText(), "the last segment of subject.id");
        assertEquals("shop", plain.path("namespace").asText());
        assertEquals("http-golden-signals", plain.path("template").asText());
        assertEquals(Map.of("service", "checkout", "track", "canary"),
                JSON.convertValue(plain.path("canary").path("labels"), Map.class));
        assertEquals(Map.of("service", "checkout", "track", "stable"),
                JSON.convertValue(plain.path("stable").path("labels"), Map.class));
        assertEquals("checkout", plain.path("target").path("name").asText());
        assertEquals("app", plain.path("target").path("container").asText());
        assertEquals("ghcr.io/acme/checkout", plain.path("image").asText());
    }

    @Test
    void withoutCustomDataOrMappingEveryMissingPieceIsNamed() throws Exception {
        ObjectNode cd = specExample("v0.5.1");
        cd.remove("customData");
        ((ObjectNode) cd.get("subject")).put("id", "checkout");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(cd));
        assertEquals("customData.canaryJudge.template: required (or canary.cdevents.services.checkout.template); "
                + "customData.canaryJudge.canary.labels: required (or canary.cdevents.services.checkout"
                + ".canary-labels.<label>): the Prometheus labels of the canary; "
                + "customData.canaryJudge.stable.labels: required (or canary.cdevents.services.checkout"
                + ".stable-labels.<label>): the Prometheus labels of the stable", e.getMessage());
    }

    @Test
    void otherTypesAndVersionsAreRefusedWithTheAcceptedOnes() throws Exception {
        ObjectNode removed = specExample("v0.5.1");
        ((ObjectNode) removed.get("context")).put("type", "dev.cdevents.service.removed.0.3.0");
        assertEquals("context.type: CDEvents type 'dev.cdevents.service.removed.0.3.0' does not start an analysis; "
                + "accepted: " + ServiceEventTranslator.ACCEPTED,
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(removed)).getMessage());
        for (String version : List.of("0.4.0", "1.0.0", "0.1.0")) {
            ObjectNode future = specExample("v0.5.1");
            ((ObjectNode) future.get("context")).put("type", "dev.cdevents.service.upgraded." + version);
            assertEquals("context.type: unsupported version " + version + " of dev.cdevents.service.upgraded; "
                    + "accepted: " + ServiceEventTranslator.ACCEPTED,
                    assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(future)).getMessage());
        }
        ObjectNode patched = specExample("v0.5.1");
        ((ObjectNode) patched.get("context")).put("type", "dev.cdevents.service.upgraded.0.3.7");
        assertEquals("sha256:" + HEX, NO_MAPPING.translate(patched).path("canary").path("digest").asText(),
                "a patch release of an accepted version is compatible");
    }

    @Test
    void aTagOrAnotherPackageTypeIsNoCanary() throws Exception {
        ObjectNode cd = specExample("v0.5.1");
        ((ObjectNode) cd.at("/subject/content")).put("artifactId", "pkg:oci/myapp@v1.2.3");
        assertEquals("subject.content.artifactId: package URL version 'v1.2.3' is not an image digest "
                + "sha256:<64 lowercase hex> (digests, never tags)",
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(cd)).getMessage());
        ((ObjectNode) cd.at("/subject/content")).remove("artifactId");
        ((ObjectNode) cd.at("/subject/content")).remove("environment");
        assertEquals("subject.content.environment: required; subject.content.artifactId: required",
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(cd)).getMessage());
    }

    @Test
    void aSubjectIdThatIsNoServiceNameIsNamed() throws Exception {
        ObjectNode cd = specExample("v0.5.1");
        ((ObjectNode) cd.at("/customData/canaryJudge")).remove("service");
        assertEquals("subject.id: the service name 'mySubject123' (last segment of subject.id) is not a Kubernetes "
                + "name; set customData.canaryJudge.service",
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(cd)).getMessage());
    }

    @Test
    void anEnvironmentThatIsNoNamespaceIsNamed() throws Exception {
        ObjectNode cd = specExample("v0.5.1");
        ((ObjectNode) cd.at("/customData/canaryJudge")).remove("namespace");
        ((ObjectNode) cd.at("/subject/content/environment")).put("id", "eu-west/Prod");
        assertEquals("subject.content.environment.id: 'eu-west/Prod' is not a Kubernetes namespace; set "
                + "customData.canaryJudge.namespace or canary.cdevents.services.checkout.namespace",
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(cd)).getMessage());
    }

    @Test
    void aCloudEventOfACdEventsTypeWithoutContextIsToldSo() throws Exception {
        ObjectNode data = (ObjectNode) JSON.readTree("{\"type\":\"dev.cdevents.service.deployed.0.3.0\",\"id\":\"x\"}");
        assertTrue(NO_MAPPING.accepts(data));
        assertEquals("context: required",
                assertThrows(InvalidEventException.class, () -> NO_MAPPING.translate(data)).getMessage());
    }

    @Test
    void plainEventsAndOtherCloudEventsAreNotCdEvents() throws Exception {
        assertFalse(NO_MAPPING.accepts((ObjectNode) JSON.readTree(
                "{\"id\":\"e\",\"type\":\"canary.started\",\"namespace\":\"shop\"}")));
        assertFalse(NO_MAPPING.accepts((ObjectNode) JSON.readTree(
                "{\"context\":{\"type\":\"io.other.deployed\"},\"subject\":{}}")));
    }

    private static CdEventsConfig.ServiceDefaults defaults() {
        return new CdEventsConfig.ServiceDefaults() {
            public Optional<String> namespace() {
                return Optional.of("shop");
            }

            public Optional<String> template() {
                return Optional.of("http-golden-signals");
            }

            public Map<String, String> canaryLabels() {
                return Map.of("service", "checkout", "track", "canary");
            }

            public Map<String, String> stableLabels() {
                return Map.of("service", "checkout", "track", "stable");
            }

            public Optional<String> targetKind() {
                return Optional.of("Deployment");
            }

            public Optional<String> targetName() {
                return Optional.empty();
            }

            public Optional<String> targetContainer() {
                return Optional.of("app");
            }
        };
    }

    private static CdEventsConfig config(Map<String, CdEventsConfig.ServiceDefaults> services) {
        return new CdEventsConfig() {
            public boolean publishEnabled() {
                return false;
            }

            public java.time.Duration resendWindow() {
                return java.time.Duration.ofHours(1);
            }

            public java.time.Duration resendInterval() {
                return java.time.Duration.ofSeconds(10);
            }

            public Map<String, ServiceDefaults> services() {
                return services;
            }
        };
    }
}
