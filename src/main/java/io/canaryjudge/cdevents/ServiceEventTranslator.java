package io.canaryjudge.cdevents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.EventTranslator;
import io.canaryjudge.event.InvalidEventException;
import io.canaryjudge.event.InvalidEventException.Violation;
import io.canaryjudge.event.OciPurl;
import io.canaryjudge.problem.Inputs;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a CDEvents {@code service.deployed} or {@code service.upgraded} (spec v0.5: {@code .0.3.x}, spec v0.4:
 * {@code .0.2.x}) into a plain {@code canary.started} event: the artifact's digest is the canary, the rest comes
 * from {@code customData.canaryJudge} or, where that is silent, from {@link CdEventsConfig#services()}; the stable
 * digest, which no mapping can know, from the service's last PROMOTE ({@link StableDigests}). Any other
 * CDEvents type or version, and anything missing, is an {@link InvalidEventException} (the intake dead-letters it
 * with the reason). docs/integrations.md, "CDEvents", has the mapping table.
 */
@ApplicationScoped
class ServiceEventTranslator implements EventTranslator {
    static final Set<String> STARTS = Set.of("service.deployed", "service.upgraded");
    /** major.minor of the accepted versions: 0.3 (spec v0.5.x) and 0.2 (spec v0.4.x); any patch. */
    static final Set<String> VERSIONS = Set.of("0.3", "0.2");
    static final String ACCEPTED = "dev.cdevents.service.deployed or .upgraded, versions 0.3.x (spec v0.5) and "
            + "0.2.x (spec v0.4)";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,199}");

    private final ObjectMapper json;
    private final CdEventsConfig config;
    private final StableDigests promoted;

    ServiceEventTranslator(ObjectMapper json, CdEventsConfig config, StableDigests promoted) {
        this.json = json;
        this.config = config;
        this.promoted = promoted;
    }

    /** The stable digest of an event that does not name one (implemented on the analysis store). */
    interface StableDigests {
        Optional<String> lastPromoted(String namespace, String service, Instant notAfter, String ownEventId);
    }

    @Override
    public boolean accepts(ObjectNode node) {
        // the CloudEvent type (binary mode copies it to "type") counts too, so that a CDEvent without context is
        // told what is missing instead of being read as a plain event
        return node.path("context").path("type").asText("").startsWith(CdEventType.PREFIX)
                || node.path("type").asText("").startsWith(CdEventType.PREFIX);
    }

    @Override
    public ObjectNode translate(ObjectNode node) {
        Envelope event = envelope(node);
        Mapping mapping = mapping(event);
        return started(event, mapping);
    }

    /** What the CDEvent says: its context, subject and artifact, and the canary-judge custom data. */
    private record Envelope(String contextId, String source, String timestamp, String subjectId, String environmentId,
                            OciPurl artifact, JsonNode custom) {
    }

    /** Where and how the canary is judged: from the custom data, else the service's configured defaults. */
    private record Mapping(String service, String namespace, String template, JsonNode canaryLabels,
                           JsonNode stableLabels, CdEventsConfig.ServiceDefaults defaults) {
    }

    /** Reads the fields every start needs, reporting all that are missing or malformed at once. */
    private Envelope envelope(ObjectNode node) {
        List<Violation> errors = new ArrayList<>();
        JsonNode context = object(node, "context", "context", errors);
        if (context == null) {
            throwIfAny(errors);
        }
        String typeText = text(context, "context.type", "type", errors);
        if (typeText != null) {
            checkType(typeText);
        }
        String contextId = text(context, "context.id", "id", errors);
        String source = text(context, "context.source", "source", errors);
        String timestamp = text(context, "context.timestamp", "timestamp", errors);
        JsonNode subject = object(node, "subject", "subject", errors);
        String subjectId = subject == null ? null : text(subject, "subject.id", "id", errors);
        JsonNode content = subject == null ? null : object(subject, "subject.content", "content", errors);
        JsonNode environment = content == null ? null
                : object(content, "subject.content.environment", "environment", errors);
        String environmentId = environment == null ? null
                : text(environment, "subject.content.environment.id", "id", errors);
        String artifactId = content == null ? null : text(content, "subject.content.artifactId", "artifactId", errors);
        OciPurl artifact = null;
        if (artifactId != null) {
            try {
                artifact = OciPurl.parse(artifactId);
            } catch (IllegalArgumentException e) {
                errors.add(new Violation("subject.content.artifactId", e.getMessage()));
            }
        }
        JsonNode custom = node.path("customData").path("canaryJudge");
        if (!custom.isMissingNode() && !custom.isObject()) {
            errors.add(new Violation("customData.canaryJudge", "expected an object"));
            custom = json.createObjectNode();
        }
        throwIfAny(errors);
        return new Envelope(contextId, source, timestamp, subjectId, environmentId, artifact, custom);
    }

    /** Only a service.deployed or .upgraded of an accepted version starts an analysis. */
    private static void checkType(String typeText) {
        CdEventType type = CdEventType.parse(typeText).orElse(null);
        if (type == null || !STARTS.contains(type.name())) {
            throw invalid("context.type", "CDEvents type '" + abbreviate(typeText)
                    + "' does not start an analysis; accepted: " + ACCEPTED);
        }
        if (!VERSIONS.contains(type.major() + "." + type.minor())) {
            throw invalid("context.type", "unsupported version " + type.version() + " of dev.cdevents."
                    + type.name() + "; accepted: " + ACCEPTED);
        }
    }

    /** Service, namespace, template and cohort labels: custom data first, then canary.cdevents.services. */
    private Mapping mapping(Envelope event) {
        List<Violation> errors = new ArrayList<>();
        JsonNode custom = event.custom();
        String subjectId = event.subjectId();
        String service = custom.path("service").asText(subjectId.substring(subjectId.lastIndexOf('/') + 1));
        if (!Inputs.isDnsLabel(service)) {
            errors.add(new Violation("subject.id", "the service name '" + abbreviate(service) + "' (last segment of "
                    + "subject.id) is not a Kubernetes name; set customData.canaryJudge.service"));
        }
        CdEventsConfig.ServiceDefaults defaults = config.services().get(service);
        boolean mapped = defaults != null && defaults.namespace().isPresent();
        String namespace = custom.path("namespace").asText(mapped ? defaults.namespace().get() : event.environmentId());
        if (!Inputs.isDnsLabel(namespace)) {
            String from = custom.has("namespace") ? "customData.canaryJudge.namespace"
                    : mapped ? "canary.cdevents.services." + service + ".namespace" : "subject.content.environment.id";
            errors.add(new Violation(from, "'" + abbreviate(namespace) + "' is not a Kubernetes namespace; set "
                    + "customData.canaryJudge.namespace or canary.cdevents.services." + service + ".namespace"));
        }
        String template = custom.path("template").asText(
                defaults != null && defaults.template().isPresent() ? defaults.template().get() : null);
        if (template == null) {
            errors.add(new Violation("customData.canaryJudge.template",
                    "required (or canary.cdevents.services." + service + ".template)"));
        }
        JsonNode canaryLabels = labels(custom.path("canary"), defaults == null ? Map.of() : defaults.canaryLabels(),
                "canary", service, errors);
        JsonNode stableLabels = labels(custom.path("stable"), defaults == null ? Map.of() : defaults.stableLabels(),
                "stable", service, errors);
        throwIfAny(errors);
        return new Mapping(service, namespace, template, canaryLabels, stableLabels, defaults);
    }

    /** The plain canary.started event; its id is stable per (source, id), so a re-sent CDEvent is no new analysis. */
    private ObjectNode started(Envelope event, Mapping mapping) {
        JsonNode custom = event.custom();
        String id = "cdevents-" + hash(event.source() + "\n" + event.contextId());
        JsonNode stableDigest = custom.path("stable").path("digest");
        if (stableDigest.isMissingNode() || stableDigest.isNull()) {
            stableDigest = lastPromoted(mapping.namespace(), mapping.service(), event.timestamp(), id);
        }
        ObjectNode out = json.createObjectNode();
        out.put("id", id);
        out.put("type", "canary.started");
        out.put("deploymentId", ID.matcher(event.contextId()).matches() ? event.contextId() : id);
        out.put("namespace", mapping.namespace()).put("service", mapping.service())
                .put("template", mapping.template());
        ObjectNode canary = out.putObject("canary");
        canary.put("digest", event.artifact().digest());
        canary.set("labels", mapping.canaryLabels());
        ObjectNode stable = out.putObject("stable");
        stable.set("digest", stableDigest);
        stable.set("labels", mapping.stableLabels());
        target(out, custom, mapping);
        out.put("startedAt", event.timestamp());
        if (Inputs.isDnsLabel(event.environmentId())) {
            out.put("environment", event.environmentId());
        }
        if (custom.has("commitTime")) {
            out.set("commitTime", custom.get("commitTime"));
        }
        String image = custom.path("image").asText(event.artifact().image());
        if (image != null) {
            out.put("image", image);
        }
        return out;
    }

    /** The workload to roll back: as the custom data gives it, else from the service's configured target kind. */
    private static void target(ObjectNode out, JsonNode custom, Mapping mapping) {
        CdEventsConfig.ServiceDefaults defaults = mapping.defaults();
        if (custom.has("target")) {
            out.set("target", custom.get("target"));
        } else if (defaults != null && defaults.targetKind().isPresent()) {
            ObjectNode target = out.putObject("target").put("kind", defaults.targetKind().get())
                    .put("name", defaults.targetName().orElse(mapping.service()));
            defaults.targetContainer().ifPresent(c -> target.put("container", c));
        }
    }

    /** The canary digest of the service's last PROMOTE: what serves now, unless someone deployed around us. */
    private JsonNode lastPromoted(String namespace, String service, String timestamp, String id) {
        Instant at;
        try {
            at = Inputs.rfc3339(timestamp);
        } catch (DateTimeParseException e) {
            throw invalid("context.timestamp", "not an RFC 3339 timestamp with offset");
        }
        return promoted.lastPromoted(namespace, service, at, id).<JsonNode>map(json.getNodeFactory()::textNode)
                .orElseThrow(() -> invalid("customData.canaryJudge.stable.digest", "required: no earlier PROMOTE of "
                        + namespace + "/" + service + " names the digest serving now, which the canary is compared with"));
    }

    private JsonNode labels(JsonNode cohort, Map<String, String> fallback, String name, String service,
                            List<Violation> errors) {
        JsonNode labels = cohort.path("labels");
        if (!labels.isMissingNode() && !labels.isNull()) {
            return labels;
        }
        if (fallback.isEmpty()) {
            errors.add(new Violation("customData.canaryJudge." + name + ".labels", "required (or canary.cdevents."
                    + "services." + service + "." + name + "-labels.<label>): the Prometheus labels of the " + name));
            return null;
        }
        return json.valueToTree(fallback);
    }

    private static JsonNode object(JsonNode parent, String path, String field, List<Violation> errors) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            errors.add(new Violation(path, "required"));
            return null;
        }
        if (!value.isObject()) {
            errors.add(new Violation(path, "expected an object"));
            return null;
        }
        return value;
    }

    private static String text(JsonNode parent, String path, String field, List<Violation> errors) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            errors.add(new Violation(path, "required"));
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            errors.add(new Violation(path, "expected a non-empty string"));
            return null;
        }
        return value.asText();
    }

    /** Distinct per (source, id), the pair the CDEvents spec makes unique: a re-sent event is the same analysis. */
    private static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void throwIfAny(List<Violation> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidEventException(errors);
        }
    }

    private static InvalidEventException invalid(String field, String message) {
        return new InvalidEventException(field, message);
    }

    private static String abbreviate(String s) {
        String printable = String.valueOf(s).replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 60 ? printable : printable.substring(0, 60) + "...";
    }
}
