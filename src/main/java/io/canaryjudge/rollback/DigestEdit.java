package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Puts the stable digest where the canary digest is in a GitOps file: a kustomization's {@code images:} entry, or
 * the scalar at a dotted YAML path. The YAML is parsed to find and verify the place, but the edit is textual (the
 * one occurrence of the canary digest is replaced), so comments and layout of the file survive.
 */
final class DigestEdit {
    private static final YAMLMapper YAML = new YAMLMapper();

    enum Kind { CHANGED, ALREADY, REFUSED }

    /** The edited text (CHANGED), or why nothing is to be done (ALREADY) or may be done (REFUSED). */
    record Result(Kind kind, String text, String reason, String artifact) {
    }

    private DigestEdit() {
    }

    static Result apply(String text, String canary, String stable, Optional<String> yamlPath, Optional<String> image) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return refused("not valid YAML: " + e.getOriginalMessage());
        }
        Located found = yamlPath.isPresent() ? byPath(root, yamlPath.get()) : byImages(root, canary, stable, image);
        if (found.refusal != null) {
            return refused(found.refusal);
        }
        if (stable.equals(found.value)) {
            return new Result(Kind.ALREADY, text, "already at the stable digest", found.artifact);
        }
        if (!canary.equals(found.value)) {
            return refused(found.where + " is " + Images.shortly(found.value) + ", not the canary digest "
                    + Images.shortly(canary) + ": a newer deployment happened, left alone");
        }
        int count = occurrences(text, canary);
        if (count != 1) {
            return refused("the canary digest appears " + count + " times; refusing an ambiguous edit");
        }
        String edited = text.replace(canary, stable);
        Located check;
        try {
            JsonNode after = YAML.readTree(edited);
            check = yamlPath.isPresent() ? byPath(after, yamlPath.get()) : byImages(after, stable, stable, image);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return refused("the edit would break the YAML: " + e.getOriginalMessage());
        }
        if (!stable.equals(check.value)) {
            return refused("the canary digest is not only at " + found.where + "; refusing an ambiguous edit");
        }
        return new Result(Kind.CHANGED, edited, found.where + ": " + Images.shortly(canary) + " -> "
                + Images.shortly(stable), found.artifact);
    }

    private static Result refused(String reason) {
        return new Result(Kind.REFUSED, null, reason, null);
    }

    private record Located(String where, String value, String artifact, String refusal) {
        static Located refusal(String why) {
            return new Located(null, null, null, why);
        }
    }

    private static Located byPath(JsonNode root, String path) {
        JsonNode node = root;
        JsonNode parent = null;
        for (String part : path.split("\\.")) {
            parent = node;
            node = node == null ? null : node.get(part);
        }
        if (node == null || !node.isTextual()) {
            return Located.refusal("no text value at " + path);
        }
        String repository = parent != null && parent.path("repository").isTextual() ? parent.path("repository").asText() : null;
        return new Located(path, node.asText(), repository, null);
    }

    private static Located byImages(JsonNode root, String canary, String stable, Optional<String> image) {
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isArray()) {
            return Located.refusal("no images: list (a kustomization is expected; or set canary.rollback.gitops.yaml-path)");
        }
        List<JsonNode> canaries = new ArrayList<>();
        List<JsonNode> stables = new ArrayList<>();
        for (JsonNode entry : images) {
            if (image.isPresent() && !image.get().equals(entry.path("name").asText())) {
                continue;
            }
            String digest = entry.path("digest").asText("");
            if (digest.equals(canary)) {
                canaries.add(entry);
            } else if (digest.equals(stable)) {
                stables.add(entry);
            }
        }
        if (canaries.size() > 1) {
            return Located.refusal("several images entries carry the canary digest; set canary.rollback.gitops.image");
        }
        JsonNode entry = !canaries.isEmpty() ? canaries.get(0) : stables.size() == 1 ? stables.get(0) : null;
        if (entry == null) {
            return Located.refusal("no images entry" + image.map(n -> " named " + n).orElse("") + " has the canary digest "
                    + Images.shortly(canary));
        }
        String name = entry.path("newName").asText(entry.path("name").asText());
        return new Located("images[name=" + entry.path("name").asText() + "].digest", entry.path("digest").asText(),
                name, null);
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
