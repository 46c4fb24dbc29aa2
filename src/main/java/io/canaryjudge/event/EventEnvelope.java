package io.canaryjudge.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Unwraps the three accepted encodings of a deployment event into the plain event object:
 * plain JSON, a CloudEvent in binary mode ({@code ce_*} Kafka headers, data in the value) and a
 * CloudEvent in structured mode ({@code application/cloudevents+json}, data in the {@code data} member).
 * CloudEvent attributes fill in {@code id} and {@code type} when the data does not carry them.
 */
final class EventEnvelope {
    static final int MAX_BYTES = 64 * 1024;

    private EventEnvelope() {
    }

    static ObjectNode unwrap(ObjectMapper json, byte[] value, Map<String, String> headers) {
        if (value == null || value.length == 0) {
            throw new InvalidEventException("$", "empty message");
        }
        if (value.length > MAX_BYTES) {
            throw new InvalidEventException("$", "message of " + value.length + " bytes exceeds the limit of " + MAX_BYTES);
        }
        JsonNode root = parse(json, value, "$");
        if (!root.isObject()) {
            throw new InvalidEventException("$", "expected a JSON object");
        }
        String binarySpec = headers.get("ce_specversion");
        if (binarySpec != null) {
            checkSpecVersion(binarySpec, "ce_specversion");
            return withDefaults((ObjectNode) root, headers.get("ce_id"), headers.get("ce_type"));
        }
        String contentType = headers.getOrDefault("content-type", "");
        boolean structured = contentType.startsWith("application/cloudevents+json") || root.has("specversion");
        if (!structured) {
            return (ObjectNode) root;
        }
        checkSpecVersion(root.path("specversion").asText(null), "specversion");
        JsonNode data = root.get("data");
        if (data == null && root.hasNonNull("data_base64")) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(root.get("data_base64").asText());
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("data_base64", "not valid base64");
            }
            data = parse(json, decoded, "data_base64");
        } else if (data != null && data.isTextual()) {
            data = parse(json, data.asText().getBytes(StandardCharsets.UTF_8), "data");
        }
        if (data == null || !data.isObject()) {
            throw new InvalidEventException("data", "a CloudEvent must carry the deployment event object as data");
        }
        return withDefaults((ObjectNode) data, text(root, "id"), text(root, "type"));
    }

    private static ObjectNode withDefaults(ObjectNode data, String ceId, String ceType) {
        if (!data.has("id") && ceId != null) {
            data.put("id", ceId);
        }
        if (!data.has("type") && ceType != null) {
            data.put("type", ceType);
        }
        return data;
    }

    private static void checkSpecVersion(String version, String field) {
        if (!"1.0".equals(version)) {
            throw new InvalidEventException(field, "unsupported CloudEvents specversion '" + version + "', expected 1.0");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static JsonNode parse(ObjectMapper json, byte[] bytes, String field) {
        try {
            return json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(field, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException(field, "unreadable: " + e.getMessage());
        }
    }
}
