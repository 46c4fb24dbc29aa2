package io.canaryjudge.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.problem.Inputs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Checks every field of a deployment event object and builds the {@link DeploymentEvent}.
 * All violations are collected so that a producer learns everything wrong in one round trip.
 */
final class EventValidator {
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** Kubernetes DNS-1123 label: namespaces, services and most workload names. */
    /** Kubernetes DNS-1123 subdomain: Deployment and Rollout names. */
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+=-]*");
    static final int MAX_ID = 200;
    static final int MAX_LABELS = 20;
    static final int MAX_LABEL_VALUE = 1024;
    static final List<String> TARGET_KINDS = TargetKind.wireNames();
    private static final Duration MAX_AGE = Duration.ofDays(400);
    private static final Duration MAX_FUTURE = Duration.ofHours(1);

    private final Predicate<String> knownTemplate;
    private final Clock clock;

    EventValidator(Predicate<String> knownTemplate, Clock clock) {
        this.knownTemplate = knownTemplate;
        this.clock = clock;
    }

    DeploymentEvent validate(ObjectNode node) {
        List<InvalidEventException.Violation> errors = new ArrayList<>();
        String id = id(node, "id", errors);
        EventType type = null;
        String typeText = string(node, "type", true, 100, errors);
        if (typeText != null) {
            type = EventType.fromWire(typeText).orElse(null);
            if (type == null) {
                errors.add(v("type", "unknown type '" + typeText + "', expected canary.started or canary.cancelled"));
            }
        }
        String namespace = dnsLabel(node, "namespace", errors);
        String service = dnsLabel(node, "service", errors);
        if (type == EventType.CANCELLED) {
            String deploymentId = node.has("deploymentId") ? id(node, "deploymentId", errors) : null;
            throwIfAny(errors);
            return new DeploymentEvent(id, type, deploymentId, namespace, service, null, null, null, null, null, null, null);
        }
        String deploymentId = id(node, "deploymentId", errors);
        String template = string(node, "template", true, 100, errors);
        if (template != null && !knownTemplate.test(template)) {
            errors.add(v("template", "unknown analysis template '" + template + "'"));
        }
        Cohort canary = cohort(node, "canary", errors);
        Cohort stable = cohort(node, "stable", errors);
        if (canary != null && stable != null && canary.labels().equals(stable.labels())) {
            errors.add(v("stable.labels", "canary and stable labels are identical: both cohorts would be the same series"));
        }
        if (canary != null && stable != null && canary.digest().equals(stable.digest())) {
            errors.add(v("canary.digest", "canary and stable run the same digest: nothing to compare"));
        }
        RollbackTarget target = target(node, errors);
        Instant startedAt = startedAt(node, errors);
        String environment = node.has("environment") ? dnsLabel(node, "environment", errors) : null;
        Instant commitTime = commitTime(node, startedAt, errors);
        String image = image(node, errors);
        throwIfAny(errors);
        return new DeploymentEvent(id, type, deploymentId, namespace, service, template, canary, stable, target,
                startedAt, environment, commitTime, image);
    }

    /** The OCI repository of both digests: {@code [host[:port]/]path}, lowercase, no tag and no digest. */
    private static final java.util.regex.Pattern IMAGE = java.util.regex.Pattern.compile(
            "([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*");

    private static String image(ObjectNode node, List<InvalidEventException.Violation> errors) {
        if (!node.has("image") || node.get("image").isNull()) {
            return null;
        }
        String image = string(node, "image", false, 255, errors);
        if (image != null && !IMAGE.matcher(image).matches()) {
            errors.add(v("image", "expected an image repository such as registry.example.com/shop/checkout, "
                    + "without tag or digest (the digests are canary.digest and stable.digest)"));
            return null;
        }
        return image;
    }

    private static void throwIfAny(List<InvalidEventException.Violation> errors) {
        if (!errors.isEmpty()) {
            throw new InvalidEventException(errors);
        }
    }

    private Instant startedAt(ObjectNode node, List<InvalidEventException.Violation> errors) {
        String text = string(node, "startedAt", true, 64, errors);
        if (text == null) {
            return null;
        }
        Instant at;
        try {
            at = Inputs.rfc3339(text);
        } catch (DateTimeParseException e) {
            errors.add(v("startedAt", "not an RFC 3339 timestamp with offset, e.g. 2026-11-26T01:00:00Z"));
            return null;
        }
        Instant now = clock.instant();
        if (at.isAfter(now.plus(MAX_FUTURE))) {
            errors.add(v("startedAt", "more than " + MAX_FUTURE.toMinutes() + " minutes in the future"));
        } else if (at.isBefore(now.minus(MAX_AGE))) {
            errors.add(v("startedAt", "older than " + MAX_AGE.toDays() + " days"));
        }
        return at;
    }

    /** Optional; a commit cannot be deployed before it exists, so it must not be after startedAt. */
    private static Instant commitTime(ObjectNode node, Instant startedAt, List<InvalidEventException.Violation> errors) {
        String text = string(node, "commitTime", false, 64, errors);
        if (text == null) {
            return null;
        }
        Instant at;
        try {
            at = Inputs.rfc3339(text);
        } catch (DateTimeParseException e) {
            errors.add(v("commitTime", "not an RFC 3339 timestamp with offset, e.g. 2026-11-26T00:40:00Z"));
            return null;
        }
        if (startedAt != null && at.isAfter(startedAt)) {
            errors.add(v("commitTime", "after startedAt: a commit is made before it is deployed"));
            return null;
        }
        return at;
    }

    private static RollbackTarget target(ObjectNode node, List<InvalidEventException.Violation> errors) {
        JsonNode t = node.get("target");
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isObject()) {
            errors.add(v("target", "expected an object"));
            return null;
        }
        int before = errors.size();
        String kind = string(t, "target.kind", "kind", true, 20, errors);
        if (kind != null && !TARGET_KINDS.contains(kind)) {
            errors.add(v("target.kind", "unknown kind '" + kind + "', expected one of " + TARGET_KINDS));
        }
        String name = string(t, "target.name", "name", true, 253, errors);
        if (name != null && !DNS_SUBDOMAIN.matcher(name).matches()) {
            errors.add(v("target.name", "not a valid Kubernetes name"));
        }
        String container = string(t, "target.container", "container", false, 63, errors);
        if (container != null && !Inputs.DNS_LABEL.matcher(container).matches()) {
            errors.add(v("target.container", "not a valid container name"));
        }
        return errors.size() == before ? new RollbackTarget(kind, name, container) : null;
    }

    private static Cohort cohort(ObjectNode node, String field, List<InvalidEventException.Violation> errors) {
        JsonNode c = node.get(field);
        if (c == null || c.isNull()) {
            errors.add(v(field, "required"));
            return null;
        }
        if (!c.isObject()) {
            errors.add(v(field, "expected an object with digest and labels"));
            return null;
        }
        int before = errors.size();
        String digest = string(c, field + ".digest", "digest", true, 80, errors);
        if (digest != null && !DIGEST.matcher(digest).matches()) {
            errors.add(v(field + ".digest", "expected sha256: followed by 64 lowercase hex digits (digests, never tags)"));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        JsonNode l = c.get("labels");
        if (l == null || l.isNull()) {
            errors.add(v(field + ".labels", "required: the Prometheus labels that select this cohort"));
        } else if (!l.isObject()) {
            errors.add(v(field + ".labels", "expected an object of label name to value"));
        } else if (l.size() == 0) {
            errors.add(v(field + ".labels", "must not be empty"));
        } else if (l.size() > MAX_LABELS) {
            errors.add(v(field + ".labels", "at most " + MAX_LABELS + " labels"));
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = field + ".labels." + e.getKey();
                if (e.getKey().length() > 128 || !LABEL_NAME.matcher(e.getKey()).matches()) {
                    errors.add(v(field + ".labels", "label name '" + abbreviate(e.getKey())
                            + "' does not match [a-zA-Z_][a-zA-Z0-9_]*"));
                } else if (!e.getValue().isTextual()) {
                    errors.add(v(path, "expected a string"));
                } else if (e.getValue().asText().length() > MAX_LABEL_VALUE) {
                    errors.add(v(path, "longer than " + MAX_LABEL_VALUE + " characters"));
                } else {
                    labels.put(e.getKey(), e.getValue().asText());
                }
            }
        }
        return errors.size() == before ? new Cohort(digest, labels) : null;
    }

    private static String id(ObjectNode node, String field, List<InvalidEventException.Violation> errors) {
        String value = string(node, field, true, MAX_ID, errors);
        if (value != null && !ID.matcher(value).matches()) {
            errors.add(v(field, "may hold only letters, digits and . _ : / @ + = - and must start with a letter or digit"));
            return null;
        }
        return value;
    }

    private static String dnsLabel(JsonNode node, String field, List<InvalidEventException.Violation> errors) {
        String value = string(node, field, true, 63, errors);
        if (value != null && !Inputs.DNS_LABEL.matcher(value).matches()) {
            errors.add(v(field, "not a valid Kubernetes name (lowercase letters, digits and '-')"));
            return null;
        }
        return value;
    }

    private static String string(JsonNode node, String field, boolean required, int max,
                                 List<InvalidEventException.Violation> errors) {
        return string(node, field, field, required, max, errors);
    }

    private static String string(JsonNode node, String path, String field, boolean required, int max,
                                 List<InvalidEventException.Violation> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(v(path, "required"));
            }
            return null;
        }
        if (!value.isTextual()) {
            errors.add(v(path, "expected a string"));
            return null;
        }
        String text = value.asText();
        if (text.isBlank()) {
            errors.add(v(path, "must not be blank"));
            return null;
        }
        if (text.length() > max) {
            errors.add(v(path, "longer than " + max + " characters"));
            return null;
        }
        return text;
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }

    private static InvalidEventException.Violation v(String field, String message) {
        return new InvalidEventException.Violation(field, message);
    }
}
