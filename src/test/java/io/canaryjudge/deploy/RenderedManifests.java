package io.canaryjudge.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The documents {@code kubectl kustomize <dir>} renders, parsed with Jackson YAML. */
record RenderedManifests(String dir, List<JsonNode> documents) {
    static final Path REPO = Path.of("").toAbsolutePath();
    private static final YAMLMapper YAML = new YAMLMapper();

    static RenderedManifests render(String dir) {
        Path kubectl = Optional.ofNullable(System.getenv("KUBECTL")).map(Path::of)
                .orElseGet(() -> Files.isExecutable(Path.of("/usr/bin/kubectl")) ? Path.of("/usr/bin/kubectl")
                        : Path.of("kubectl"));
        try {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", REPO.resolve(dir).toString())
                    .redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
            }
            return parse(dir, new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("kubectl (with kustomize) is needed to check deploy/: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static RenderedManifests parse(String dir, String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isMissingNode() && !n.isNull()) {
                    docs.add(n);
                }
            }
        }
        return new RenderedManifests(dir, List.copyOf(docs));
    }

    List<JsonNode> ofKind(String... kinds) {
        List<String> wanted = List.of(kinds);
        return documents.stream().filter(d -> wanted.contains(d.path("kind").asText())).toList();
    }

    JsonNode one(String kind, String name) {
        return documents.stream()
                .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(dir + ": no " + kind + " " + name));
    }

    /** Pod templates of every workload (Deployment, StatefulSet, DaemonSet, Rollout). */
    List<JsonNode> podSpecs() {
        return ofKind("Deployment", "StatefulSet", "DaemonSet", "Rollout").stream()
                .map(w -> w.path("spec").path("template").path("spec")).toList();
    }

    static String name(JsonNode doc) {
        return doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
    }
}
