package io.canaryjudge.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T02:00:00Z"), ZoneOffset.UTC);
    private static final EventValidator VALIDATOR = new EventValidator(Set.of("http-golden-signals")::contains, CLOCK);
    private static final String DIGEST_C = "sha256:" + "c".repeat(64);
    private static final String DIGEST_B = "sha256:" + "b".repeat(64);

    static ObjectNode valid() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", "evt-7d0c").put("type", "canary.started").put("deploymentId", "checkout-42")
                .put("namespace", "shop").put("service", "checkout").put("template", "http-golden-signals")
                .put("startedAt", "2026-11-26T01:00:00Z");
        n.putObject("canary").put("digest", DIGEST_C).putObject("labels").put("track", "canary");
        n.putObject("stable").put("digest", DIGEST_B).putObject("labels").put("track", "stable");
        n.putObject("target").put("kind", "Deployment").put("name", "checkout").put("container", "app");
        return n;
    }

    private static DeploymentEvent read(byte[] bytes, Map<String, String> headers) {
        return VALIDATOR.validate(EventEnvelope.unwrap(JSON, bytes, headers));
    }

    private static InvalidEventException invalid(ObjectNode n) {
        return assertThrows(InvalidEventException.class, () -> VALIDATOR.validate(n));
    }

    @Test
    void plainEventIsReadWithEveryField() {
        DeploymentEvent e = VALIDATOR.validate(valid());
        assertEquals("evt-7d0c", e.id());
        assertEquals(EventType.STARTED, e.type());
        assertEquals("shop/checkout", e.key());
        assertEquals(Map.of("track", "canary"), e.canary().labels());
        assertEquals(DIGEST_B, e.stable().digest());
        assertEquals(new RollbackTarget("Deployment", "checkout", "app"), e.target());
        assertEquals(Instant.parse("2026-11-26T01:00:00Z"), e.startedAt());
    }

    @Test
    void structuredCloudEventUnwrapsDataAndFillsIdAndType() throws Exception {
        ObjectNode data = valid();
        data.remove("id");
        data.remove("type");
        ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", "ce-1")
                .put("type", "io.canaryjudge.canary.started").put("source", "/ci");
        ce.set("data", data);
        DeploymentEvent e = read(JSON.writeValueAsBytes(ce), Map.of("content-type", "application/cloudevents+json"));
        assertEquals("ce-1", e.id());
        assertEquals(EventType.STARTED, e.type());
    }

    @Test
    void structuredCloudEventWithBase64Data() throws Exception {
        ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0").put("id", "ce-2").put("type", "canary.started")
                .put("data_base64", Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(valid())));
        assertEquals("evt-7d0c", read(JSON.writeValueAsBytes(ce), Map.of()).id());
    }

    @Test
    void binaryCloudEventTakesIdFromHeaderWhenDataHasNone() throws Exception {
        ObjectNode data = valid();
        data.remove("id");
        DeploymentEvent e = read(JSON.writeValueAsBytes(data), Map.of("ce_specversion", "1.0", "ce_id", "bin-1",
                "ce_type", "canary.started"));
        assertEquals("bin-1", e.id());
    }

    @Test
    void unsupportedSpecVersionIsRejected() throws Exception {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> read(JSON.writeValueAsBytes(valid()),
                Map.of("ce_specversion", "0.3")));
        assertEquals("ce_specversion", e.violations().get(0).field());
    }

    @Test
    void malformedJsonNamesTheDocument() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> read("{\"id\":".getBytes(StandardCharsets.UTF_8), Map.of()));
        assertTrue(e.getMessage().startsWith("$: malformed JSON"), e.getMessage());
    }

    @Test
    void oversizedMessageIsRejectedBeforeParsing() {
        byte[] big = new byte[EventEnvelope.MAX_BYTES + 1];
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> read(big, Map.of()));
        assertTrue(e.getMessage().contains("exceeds the limit"));
    }

    @Test
    void tagInsteadOfDigestIsRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("canary")).put("digest", "checkout:1.2.3");
        assertEquals("canary.digest", invalid(n).violations().get(0).field());
    }

    @Test
    void uppercaseOrShortDigestIsRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("stable")).put("digest", "sha256:" + "B".repeat(64));
        assertEquals("stable.digest", invalid(n).violations().get(0).field());
        ((ObjectNode) n.get("stable")).put("digest", "sha256:" + "b".repeat(63));
        assertEquals("stable.digest", invalid(n).violations().get(0).field());
    }

    @Test
    void labelNameThatCouldInjectPromQlIsRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("canary").get("labels")).put("track\"} or up{x", "canary");
        InvalidEventException e = invalid(n);
        assertEquals("canary.labels", e.violations().get(0).field());
        assertTrue(e.getMessage().contains("does not match"));
    }

    @Test
    void identicalCohortLabelsAreRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("stable").get("labels")).put("track", "canary");
        assertEquals("stable.labels", invalid(n).violations().get(0).field());
    }

    @Test
    void unknownTemplateIsRejected() {
        ObjectNode n = valid().put("template", "nope");
        InvalidEventException e = invalid(n);
        assertEquals("template", e.violations().get(0).field());
        assertEquals("template: unknown analysis template 'nope'", e.getMessage());
    }

    @Test
    void everyMissingRequiredFieldIsReportedAtOnce() {
        InvalidEventException e = invalid(JSON.createObjectNode());
        assertEquals(Set.of("id", "type", "namespace", "service", "deploymentId", "template", "canary", "stable",
                "startedAt"), Set.copyOf(e.violations().stream().map(InvalidEventException.Violation::field).toList()));
    }

    @Test
    void wrongTypesAreRejected() {
        ObjectNode n = valid();
        n.put("namespace", 42);
        n.putArray("canary");
        InvalidEventException e = invalid(n);
        assertEquals(Set.of("namespace", "canary"),
                Set.copyOf(e.violations().stream().map(InvalidEventException.Violation::field).toList()));
    }

    @Test
    void startedAtMustBeRfc3339AndSane() {
        assertEquals("startedAt", invalid(valid().put("startedAt", "yesterday")).violations().get(0).field());
        assertTrue(invalid(valid().put("startedAt", "2026-11-27T02:00:00Z")).getMessage().contains("future"));
        assertTrue(invalid(valid().put("startedAt", "2020-01-01T00:00:00Z")).getMessage().contains("older"));
    }

    @Test
    void commitTimeIsOptionalAndRead() {
        assertEquals(null, VALIDATOR.validate(valid()).commitTime());
        assertEquals(Instant.parse("2026-11-26T00:40:00Z"),
                VALIDATOR.validate(valid().put("commitTime", "2026-11-26T01:40:00+01:00")).commitTime());
    }

    @Test
    void commitTimeMustBeRfc3339AndNotAfterStartedAt() {
        assertEquals("commitTime", invalid(valid().put("commitTime", "last tuesday")).violations().get(0).field());
        assertEquals("after startedAt: a commit is made before it is deployed",
                invalid(valid().put("commitTime", "2026-11-26T01:00:01Z")).violations().get(0).message());
    }

    @Test
    void namespaceMustBeAKubernetesName() {
        assertEquals("namespace", invalid(valid().put("namespace", "Shop_1")).violations().get(0).field());
    }

    @Test
    void hugeLabelValueIsRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("canary").get("labels")).put("track", "x".repeat(2000));
        assertEquals("canary.labels.track", invalid(n).violations().get(0).field());
    }

    @Test
    void unknownTargetKindIsRejected() {
        ObjectNode n = valid();
        ((ObjectNode) n.get("target")).put("kind", "StatefulSet");
        assertEquals("target.kind", invalid(n).violations().get(0).field());
    }

    @Test
    void cancellationNeedsOnlyIdNamespaceAndService() {
        ObjectNode n = JSON.createObjectNode().put("id", "evt-x").put("type", "canary.cancelled")
                .put("namespace", "shop").put("service", "checkout");
        assertEquals(EventType.CANCELLED, VALIDATOR.validate(n).type());
    }

    @Test
    void unknownTypeIsRejected() {
        assertEquals("type", invalid(valid().put("type", "canary.exploded")).violations().get(0).field());
    }
}
