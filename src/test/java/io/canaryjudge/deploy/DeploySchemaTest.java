package io.canaryjudge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every object in {@code deploy/} — each raw manifest and each rendered Kustomize entry point — as the Kubernetes
 * API server would see it: Argo Rollouts, Flagger and Kargo objects against the upstream CRDs' schemas
 * ({@link CrdSchemas}; an undeclared field is a failure), built-in objects against fabric8's Kubernetes model (a
 * field the model does not know lands in its additionalProperties and is a failure here).
 */
class DeploySchemaTest {
    private static final CrdSchemas CRDS = CrdSchemas.load();
    private static final KubernetesSerialization K8S = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Kustomize entry points of deploy/ (directories a user runs kubectl apply -k on). */
    static Stream<String> entryPoints() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .filter(p -> !isComponent(p))
                    .map(p -> p.getParent().toString().replace('\\', '/')).sorted().toList().stream();
        }
    }

    /** Raw manifests: every YAML file of deploy/ that is neither a kustomization nor a patch. */
    static Stream<String> rawFiles() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("deploy"))) {
            return files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .filter(p -> !p.getFileName().toString().endsWith("-patch.yaml"))
                    .map(p -> p.toString().replace('\\', '/')).sorted().toList().stream();
        }
    }

    private static boolean isComponent(Path kustomization) {
        try {
            return Files.readString(kustomization).contains("kind: Component");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @MethodSource("entryPoints")
    void everyRenderedObjectIsValidAgainstItsSchema(String dir) {
        List<String> errors = new ArrayList<>();
        for (JsonNode doc : RenderedManifests.render(dir).documents()) {
            errors.addAll(validate(dir, doc));
        }
        assertEquals(List.of(), errors, dir);
    }

    @ParameterizedTest
    @MethodSource("rawFiles")
    void everyRawManifestIsValidAgainstItsSchema(String file) throws IOException {
        List<String> errors = new ArrayList<>();
        // SnakeYAML resolves anchors and aliases (deploy/flagger/canary.yaml shares its webhook metadata) as kubectl
        // does before it sends the object
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(Files.readString(Path.of(file)))) {
            if (doc != null) {
                errors.addAll(validate(file, JSON.valueToTree(doc)));
            }
        }
        assertEquals(List.of(), errors, file);
    }

    private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile(
            "(?i).*(password|passwd|token|secret|api_?keys?|credential).*");
    private static final java.util.regex.Pattern URL_USERINFO = java.util.regex.Pattern.compile(
            "(?i)[a-z][a-z0-9+.-]*://[^/\\s@]+@");
    /**
     * A JAAS line (Kafka's sasl.jaas.config) with the password itself rather than a config-provider reference
     * such as {@code password="$${mounted:/etc/canary-judge/kafka:password}"}.
     */
    private static final java.util.regex.Pattern JAAS_PASSWORD = java.util.regex.Pattern.compile(
            "(?i)\\bpassword\\s*=\\s*\"(?!\\$+\\{[^}]+})[^\"]*\"");

    /**
     * No plaintext secret anywhere in deploy/ — raw or rendered: no Secret object with data, no credential-looking
     * ConfigMap key or env value (only valueFrom references), no URL with userinfo in a ConfigMap or env value.
     */
    @ParameterizedTest
    @MethodSource("entryPoints")
    void noRenderedManifestCarriesAPlaintextSecret(String dir) {
        List<String> found = new ArrayList<>();
        for (JsonNode doc : RenderedManifests.render(dir).documents()) {
            plaintextSecrets(dir + " " + RenderedManifests.name(doc), doc, found);
        }
        assertEquals(List.of(), found, dir);
    }

    @ParameterizedTest
    @MethodSource("rawFiles")
    void noRawManifestCarriesAPlaintextSecret(String file) throws IOException {
        List<String> found = new ArrayList<>();
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(Files.readString(Path.of(file)))) {
            if (doc != null) {
                JsonNode n = JSON.valueToTree(doc);
                plaintextSecrets(file + " " + RenderedManifests.name(n), n, found);
            }
        }
        assertEquals(List.of(), found, file);
    }

    @Test
    void thePlaintextSecretCheckFindsWhatItLooksFor() throws IOException {
        List<String> found = new ArrayList<>();
        for (JsonNode doc : RenderedManifests.parse("inline", """
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                stringData: {password: hunter2}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data:
                  CANARY_PROMETHEUS_PASSWORD: hunter2
                  CANARY_ROLLBACK_GITOPS_REPOSITORY: https://bot:ghp_x@git.example.com/org/config.git
                  KAFKA_SASL_JAAS_CONFIG: org.apache.kafka.common.security.scram.ScramLoginModule required username="cj" password="hunter2";
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: fine}
                data:
                  KAFKA_SASL_JAAS_CONFIG: org.apache.kafka.common.security.scram.ScramLoginModule required username="cj" password="$${mounted:/etc/canary-judge/kafka:password}";
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          env:
                            - {name: CANARY_AUTH_API_KEYS, value: "ci:0123456789abcdef:deployer"}
                            - name: CANARY_DB_PASSWORD
                              valueFrom: {secretKeyRef: {name: db, key: password}}
                ---
                apiVersion: bitnami.com/v1alpha1
                kind: SealedSecret
                metadata: {name: sealed}
                spec:
                  encryptedData:
                    username: SEALED-BY-KUBESEAL
                    password: hunter2
                    token: %s
                  template:
                    data: {config: "user=judge password=hunter2"}
                ---
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata: {name: referenced}
                spec:
                  target:
                    template:
                      data:
                        sasl.jaas.config: 'ScramLoginModule required username="{{ .username }}" password="{{ .password }}";'
                        api-keys: ci:0123456789abcdef:deployer
                        jaas: 'ScramLoginModule required username="{{ .username }}" password="hunter2";'
                """.formatted("AgB" + "x".repeat(400))).documents()) {
            plaintextSecrets(RenderedManifests.name(doc), doc, found);
        }
        assertEquals(List.of("Secret/db: a Secret with its values in git",
                "ConfigMap/c: credential-like key CANARY_PROMETHEUS_PASSWORD",
                "ConfigMap/c: a URL with credentials in CANARY_ROLLBACK_GITOPS_REPOSITORY",
                "ConfigMap/c: a JAAS password in KAFKA_SASL_JAAS_CONFIG (reference a mounted Secret's file)",
                "Deployment/d: env CANARY_AUTH_API_KEYS has a literal value",
                "SealedSecret/sealed: encryptedData.password is not kubeseal's ciphertext",
                "SealedSecret/sealed: template.data in clear",
                "ExternalSecret/referenced: template value api-keys is a literal, not a reference",
                "ExternalSecret/referenced: template value jaas is a literal, not a reference"), found);
    }

    /** kubeseal's output: base64 of a 2-byte key length, the RSA-OAEP-sealed session key and the AES-GCM data. */
    private static final java.util.regex.Pattern SEALED = java.util.regex.Pattern.compile("Ag[A-Za-z0-9+/]{340,}={0,2}");
    /** The placeholder deploy/components/sealed-secrets ships until kubeseal's output replaces it. */
    static final String SEALED_PLACEHOLDER = "SEALED-BY-KUBESEAL";
    /** A template expression of External Secrets ({{ .username }}): a fetched value, not one in git. */
    private static final java.util.regex.Pattern TEMPLATE = java.util.regex.Pattern.compile("\\{\\{.*?\\}\\}");
    /** A credential assigned in the literal text around the expressions (password="hunter2", token: x). */
    private static final java.util.regex.Pattern ASSIGNED = java.util.regex.Pattern.compile(
            "(?i)(password|passwd|token|secret|key|user(name)?)\\s*[=:]\\s*\"?[^\"\\s;]");

    private static void plaintextSecrets(String where, JsonNode doc, List<String> found) {
        String kind = doc.path("kind").asText();
        if (kind.equals("Secret") && (doc.path("data").size() > 0 || doc.path("stringData").size() > 0)) {
            found.add(where + ": a Secret with its values in git");
        }
        if (kind.equals("SealedSecret")) {
            // encrypted values are fine in git, anything else is plaintext; template.data would render in clear
            doc.path("spec").path("encryptedData").fields().forEachRemaining(e -> {
                if (!e.getValue().asText().equals(SEALED_PLACEHOLDER) && !SEALED.matcher(e.getValue().asText()).matches()) {
                    found.add(where + ": encryptedData." + e.getKey() + " is not kubeseal's ciphertext");
                }
            });
            if (doc.path("spec").has("data")) {
                found.add(where + ": spec.data (the deprecated single blob) instead of encryptedData");
            }
            if (doc.path("spec").path("template").path("data").size() > 0) {
                found.add(where + ": template.data in clear");
            }
        }
        if (kind.equals("ExternalSecret")) {
            // git holds references; a template may only put fetched values together
            doc.path("spec").path("target").path("template").path("data").fields().forEachRemaining(e -> {
                String v = e.getValue().asText();
                if (!TEMPLATE.matcher(v).find() || ASSIGNED.matcher(TEMPLATE.matcher(v).replaceAll("")).find()) {
                    found.add(where + ": template value " + e.getKey() + " is a literal, not a reference");
                }
            });
        }
        if (kind.equals("ConfigMap")) {
            doc.path("data").fields().forEachRemaining(e -> {
                if (SECRET_NAME.matcher(e.getKey()).matches()) {
                    found.add(where + ": credential-like key " + e.getKey());
                } else if (URL_USERINFO.matcher(e.getValue().asText()).find()) {
                    found.add(where + ": a URL with credentials in " + e.getKey());
                } else if (JAAS_PASSWORD.matcher(e.getValue().asText()).find()) {
                    found.add(where + ": a JAAS password in " + e.getKey() + " (reference a mounted Secret's file)");
                }
            });
        }
        for (JsonNode env : doc.findValues("env")) {
            for (JsonNode e : env) {
                String name = e.path("name").asText();
                if (e.has("value") && (SECRET_NAME.matcher(name).matches()
                        || URL_USERINFO.matcher(e.path("value").asText()).find()
                        || JAAS_PASSWORD.matcher(e.path("value").asText()).find())) {
                    found.add(where + ": env " + name + " has a literal value");
                }
            }
        }
    }

    @Test
    void theEntryPointsIncludeEveryIntegration() throws IOException {
        List<String> dirs = entryPoints().toList();
        for (String d : List.of("deploy/argo-rollouts", "deploy/flagger", "deploy/kargo", "deploy/envs/prod",
                "deploy/examples/sealed-secrets", "deploy/examples/single-instance")) {
            assertTrue(dirs.contains(d), d + " in " + dirs);
        }
    }

    /** The validator itself: unknown fields, wrong types, missing required fields and enums are caught. */
    @Test
    void theCrdValidatorRejectsWhatTheApiServerWouldPruneOrRefuse() throws IOException {
        JsonNode bad = RenderedManifests.parse("inline", """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata: {name: x}
                spec:
                  args:
                    - name: canary-hash
                      valueFrom:
                        podTemplateHashValue: Latest
                  metrics:
                    - name: m
                      provider:
                        web:
                          url: http://x
                          timeoutSeconds: "10"
                """).documents().get(0);
        List<String> errors = CRDS.validate(bad);
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(".spec.args[0].valueFrom.podTemplateHashValue: unknown "
                + "field")), errors.toString());
        assertTrue(errors.stream().anyMatch(e -> e.startsWith(".spec.metrics[0].provider.web.timeoutSeconds: must be an "
                + "integer")), errors.toString());
        JsonNode flagger = RenderedManifests.parse("inline", """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: x}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: x}
                  service: {port: 80}
                  analysis:
                    webhooks:
                      - name: w
                        type: sometimes
                        url: http://x
                """).documents().get(0);
        assertTrue(CRDS.validate(flagger).stream().anyMatch(e -> e.contains("type: \"sometimes\" is not one of")),
                CRDS.validate(flagger).toString());
        // analysis needs interval and threshold with one of iterations, stepWeight, stepWeights (Flagger's oneOf)
        assertTrue(CRDS.validate(flagger).contains(".spec.analysis: matches 0 of the oneOf alternatives"),
                CRDS.validate(flagger).toString());
        JsonNode external = RenderedManifests.parse("inline", """
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata: {name: x}
                spec:
                  secretStoreRef: {kind: VaultStore, name: canary-judge}
                  data:
                    - secretKey: password
                      remoteRef: {key: db, field: password}
                """).documents().get(0);
        assertEquals(List.of(".spec.secretStoreRef.kind: \"VaultStore\" is not one of [\"SecretStore\",\"ClusterSecretStore\"]",
                ".spec.data[0].remoteRef.field: unknown field (the schema declares conversionStrategy, decodingStrategy, "
                        + "key, metadataPolicy, nullBytePolicy, property, version)"), CRDS.validate(external));
        JsonNode unserved = RenderedManifests.parse("inline", """
                apiVersion: external-secrets.io/v1beta1
                kind: ExternalSecret
                metadata: {name: x}
                spec: {}
                """).documents().get(0);
        assertFalse(CRDS.covers(unserved), "v1beta1 is no longer served");
        assertTrue(validate("inline", unserved).get(0).endsWith("is not defined by the upstream CRDs"));
        JsonNode sealed = RenderedManifests.parse("inline", """
                apiVersion: bitnami.com/v1alpha1
                kind: SealedSecret
                metadata: {name: x}
                spec:
                  template: {type: Opaque}
                """).documents().get(0);
        assertEquals(List.of(".spec: required field encryptedData is missing"), CRDS.validate(sealed));
        JsonNode deployment = RenderedManifests.parse("inline", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: app
                          image: x
                          readinessprobe: {}
                """).documents().get(0);
        List<String> builtIn = builtIn("inline", deployment);
        assertEquals(1, builtIn.size(), builtIn.toString());
        assertTrue(builtIn.get(0).contains("readinessprobe"), builtIn.toString());
        assertFalse(CRDS.covers(deployment));
    }

    static List<String> validate(String where, JsonNode doc) {
        String name = where + " " + RenderedManifests.name(doc);
        if (CRDS.covers(doc)) {
            return CRDS.validate(doc).stream().map(e -> name + e).toList();
        }
        if (CRDS.ownsGroup(doc)) {
            return List.of(name + ": " + doc.path("apiVersion").asText() + " " + doc.path("kind").asText()
                    + " is not defined by the upstream CRDs");
        }
        return builtIn(where, doc);
    }

    /** Fields fabric8's model of a built-in kind does not know, by path. */
    static List<String> builtIn(String where, JsonNode doc) {
        String name = where + " " + RenderedManifests.name(doc);
        Object typed;
        try {
            typed = K8S.unmarshal(JSON.writeValueAsString(doc));
        } catch (RuntimeException | IOException e) {
            return List.of(name + ": not a valid " + doc.path("kind").asText() + ": " + e.getMessage());
        }
        if (typed instanceof GenericKubernetesResource) {
            return List.of(name + ": kind " + doc.path("apiVersion").asText() + " " + doc.path("kind").asText()
                    + " is unknown to the Kubernetes model");
        }
        List<String> errors = new ArrayList<>();
        walk(typed, "", errors, name);
        return errors;
    }

    private static void walk(Object o, String path, List<String> errors, String name) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object x : c) {
                walk(x, path + "[" + i++ + "]", errors, name);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, errors, name));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers()) || !g.getName().startsWith("get")
                    || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = g.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    errors.add(name + path + ": unknown field(s) " + extra.keySet() + " for "
                            + o.getClass().getSimpleName());
                }
                continue;
            }
            String field = Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4);
            walk(v, path + "." + field, errors, name);
        }
    }
}
