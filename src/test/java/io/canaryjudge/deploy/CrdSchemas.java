package io.canaryjudge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code openAPIV3Schema} of upstream CRDs (src/test/resources/crds, provenance in its README), applied to an
 * object the way the API server treats it: a field the structural schema does not declare is an error (the server
 * would prune it, or reject it under strict field validation) unless the schema preserves unknown fields; types,
 * {@code required}, {@code enum}, {@code pattern}, {@code minimum}/{@code maximum}, int-or-string, and
 * {@code anyOf}/{@code oneOf}/{@code allOf} value validations are checked. {@code metadata} is ObjectMeta, checked
 * by the built-in model test, not here.
 */
final class CrdSchemas {
    private static final YAMLMapper YAML = new YAMLMapper();
    static final List<String> FILES = List.of("argo-rollouts-analysis-template-crd.yaml",
            "argo-rollouts-rollout-crd.yaml", "flagger-crd.yaml", "kargo-stages-crd.yaml",
            "sigstore-clusterimagepolicy-crd.yaml", "external-secrets-externalsecrets-crd.yaml",
            "sealed-secrets-sealedsecrets-crd.yaml");

    private final Map<String, JsonNode> schemas = new HashMap<>();

    private CrdSchemas() {
    }

    static CrdSchemas load() {
        CrdSchemas s = new CrdSchemas();
        for (String f : FILES) {
            try (InputStream in = CrdSchemas.class.getResourceAsStream("/crds/" + f);
                 MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(in)) {
                while (it.hasNext()) {
                    JsonNode crd = it.next();
                    if (crd == null || !"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                        continue;
                    }
                    String group = crd.path("spec").path("group").asText();
                    String kind = crd.path("spec").path("names").path("kind").asText();
                    for (JsonNode v : crd.path("spec").path("versions")) {
                        if (!v.path("served").asBoolean(true)) {
                            continue; // the API server refuses objects of a version it does not serve
                        }
                        s.schemas.put(key(group + "/" + v.path("name").asText(), kind),
                                v.path("schema").path("openAPIV3Schema"));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(f, e);
            }
        }
        return s;
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + " " + kind;
    }

    /** True when one of the CRDs defines the object's apiVersion and kind. */
    boolean covers(JsonNode doc) {
        return schemas.containsKey(key(doc.path("apiVersion").asText(), doc.path("kind").asText()));
    }

    /** True for an API group one of the CRDs belongs to (an object of it must then be covered). */
    boolean ownsGroup(JsonNode doc) {
        String group = doc.path("apiVersion").asText().replaceFirst("/[^/]*$", "");
        return schemas.keySet().stream().anyMatch(k -> k.startsWith(group + "/"));
    }

    /** The schema violations of one object, each as "path: what"; empty when it is valid. */
    List<String> validate(JsonNode doc) {
        JsonNode schema = schemas.get(key(doc.path("apiVersion").asText(), doc.path("kind").asText()));
        if (schema == null) {
            return List.of("no CRD schema for " + doc.path("apiVersion").asText() + " " + doc.path("kind").asText());
        }
        List<String> errors = new ArrayList<>();
        check(schema, doc, "", errors, true);
        return errors;
    }

    private static void check(JsonNode schema, JsonNode node, String path, List<String> errors, boolean root) {
        if (node == null || node.isNull()) {
            return; // the API server drops a null field
        }
        for (JsonNode sub : schema.path("allOf")) {
            check(sub, node, path, errors, false);
        }
        for (String alt : new String[] {"anyOf", "oneOf"}) {
            if (schema.has(alt)) {
                int matching = 0;
                for (JsonNode sub : schema.get(alt)) {
                    List<String> e = new ArrayList<>();
                    check(sub, node, path, e, false);
                    matching += e.isEmpty() ? 1 : 0;
                }
                if (matching == 0 || alt.equals("oneOf") && matching > 1) {
                    errors.add(path + ": matches " + matching + " of the " + alt + " alternatives");
                }
            }
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!node.isIntegralNumber() && !node.isTextual()) {
                errors.add(path + ": must be an integer or a string, not " + node.getNodeType());
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!node.isObject()) {
                    errors.add(path + ": must be an object, not " + node.getNodeType());
                    return;
                }
            }
            case "array" -> {
                if (!node.isArray()) {
                    errors.add(path + ": must be an array, not " + node.getNodeType());
                    return;
                }
            }
            case "string" -> {
                if (!node.isTextual()) {
                    errors.add(path + ": must be a string, not " + node.getNodeType() + " (" + node + ")");
                    return;
                }
            }
            case "integer" -> {
                if (!node.isIntegralNumber()) {
                    errors.add(path + ": must be an integer, not " + node.getNodeType() + " (" + node + ")");
                    return;
                }
            }
            case "number" -> {
                if (!node.isNumber()) {
                    errors.add(path + ": must be a number, not " + node.getNodeType() + " (" + node + ")");
                    return;
                }
            }
            case "boolean" -> {
                if (!node.isBoolean()) {
                    errors.add(path + ": must be a boolean, not " + node.getNodeType() + " (" + node + ")");
                    return;
                }
            }
            default -> {
                // no type: value validations only (anyOf branches, preserved fields)
            }
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(node);
            }
            if (!found) {
                errors.add(path + ": " + node + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.has("pattern") && node.isTextual()
                && !Pattern.compile(schema.get("pattern").asText()).matcher(node.asText()).find()) {
            errors.add(path + ": '" + node.asText() + "' does not match " + schema.get("pattern").asText());
        }
        if (schema.has("minimum") && node.isNumber() && node.asDouble() < schema.get("minimum").asDouble()) {
            errors.add(path + ": " + node + " is below the minimum " + schema.get("minimum"));
        }
        if (schema.has("maximum") && node.isNumber() && node.asDouble() > schema.get("maximum").asDouble()) {
            errors.add(path + ": " + node + " is above the maximum " + schema.get("maximum"));
        }
        if (node.isArray() && schema.has("items")) {
            for (int i = 0; i < node.size(); i++) {
                check(schema.get("items"), node.get(i), path + "[" + i + "]", errors, false);
            }
        }
        if (node.isObject()) {
            for (JsonNode r : schema.path("required")) {
                if (!node.has(r.asText())) {
                    errors.add(path + ": required field " + r.asText() + " is missing");
                }
            }
        }
        if (node.isObject() && (type.equals("object") || schema.has("properties"))) {
            object(schema, node, path, errors, root);
        }
    }

    private static void object(JsonNode schema, JsonNode node, String path, List<String> errors, boolean root) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String p = path + "." + f.getKey();
            if (root && (f.getKey().equals("apiVersion") || f.getKey().equals("kind")
                    || f.getKey().equals("metadata"))) {
                continue;
            }
            if (properties.has(f.getKey())) {
                check(properties.get(f.getKey()), f.getValue(), p, errors, false);
            } else if (additional != null && additional.isObject()) {
                check(additional, f.getValue(), p, errors, false);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                errors.add(p + ": unknown field (the schema declares "
                        + (properties.isEmpty() ? "none" : String.join(", ", names(properties))) + ")");
            }
        }
    }

    private static List<String> names(JsonNode properties) {
        List<String> out = new ArrayList<>();
        properties.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
