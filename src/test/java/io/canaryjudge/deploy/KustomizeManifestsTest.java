package io.canaryjudge.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every Kustomize entry point of {@code deploy/} with {@code kubectl kustomize} and holds the rendered
 * YAML to the operating rules: images by digest, probes, non-root with a read-only root, minimal RBAC, a
 * PodDisruptionBudget, a shared store when replicated, and environments that differ only in configuration.
 */
class KustomizeManifestsTest {
    static final List<String> ENVS = List.of("deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod");
    private static final Pattern DIGEST_IMAGE = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");
    private static final Set<String> ALLOWED_VERBS = Set.of("get", "list", "watch", "create", "update", "patch");
    private static final Map<String, RenderedManifests> RENDERED = new HashMap<>();

    @BeforeAll
    static void renderAll() {
        for (String dir : List.of("deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
                "deploy/sidecar/example", "deploy/examples/single-instance", "deploy/examples/sealed-secrets")) {
            RENDERED.put(dir, RenderedManifests.render(dir));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/sidecar/example"})
    void everyImageIsPinnedByDigestNeverByTagOrLatest(String dir) {
        for (JsonNode pod : RENDERED.get(dir).podSpecs()) {
            for (JsonNode c : containers(pod)) {
                String image = c.path("image").asText();
                assertTrue(DIGEST_IMAGE.matcher(image).matches(), dir + ": " + c.path("name").asText()
                        + " image " + image + " is not pinned by sha256 digest");
                assertFalse(image.contains(":latest"), dir + ": latest in " + image);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/sidecar/example"})
    void canaryJudgeContainerHasProbesResourcesAndALockedDownSecurityContext(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        int found = 0;
        for (JsonNode pod : m.podSpecs()) {
            for (JsonNode c : containers(pod)) {
                if (!c.path("name").asText().equals("canary-judge")) {
                    continue;
                }
                found++;
                // the sidecar has no readiness probe: it must not make the Argo Rollouts controller's pod NotReady
                for (String probe : dir.contains("sidecar") ? List.of("livenessProbe", "startupProbe")
                        : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    assertTrue(c.path(probe).path("httpGet").path("path").asText().startsWith("/q/health"),
                            dir + ": " + probe + " missing");
                }
                assertTrue(c.path("resources").path("requests").has("memory"), dir + ": no memory request");
                assertTrue(c.path("resources").path("limits").has("memory"), dir + ": no memory limit");
                JsonNode sc = c.path("securityContext");
                assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), dir + ": root filesystem writable");
                assertEquals(false, sc.path("allowPrivilegeEscalation").asBoolean(true), dir + ": privilege escalation");
                assertTrue(sc.path("capabilities").path("drop").toString().contains("ALL"), dir + ": capabilities kept");
                assertFalse(sc.path("privileged").asBoolean(false), dir + ": privileged");
                boolean nonRoot = sc.path("runAsNonRoot").asBoolean(false)
                        || pod.path("securityContext").path("runAsNonRoot").asBoolean(false);
                assertTrue(nonRoot, dir + ": runAsNonRoot not set");
                assertTrue(!sc.has("runAsUser") || sc.path("runAsUser").asInt() != 0, dir + ": runs as uid 0");
            }
        }
        assertEquals(1, found, dir + ": expected one canary-judge container");
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/sidecar/example"})
    void rbacIsNamespacedAndMinimal(String dir) {
        assertRbacMinimal(RENDERED.get(dir));
    }

    @Test
    void rbacCheckRejectsWildcardsSecretsAndClusterWideRoles() throws Exception {
        RenderedManifests wildcard = RenderedManifests.parse("test", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: too-much}
                rules:
                  - apiGroups: [apps]
                    resources: [deployments]
                    verbs: ["*"]
                """);
        assertThrows(AssertionError.class, () -> assertRbacMinimal(wildcard));
        RenderedManifests secrets = RenderedManifests.parse("test", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: reads-secrets}
                rules:
                  - apiGroups: [""]
                    resources: [secrets]
                    verbs: [get]
                """);
        assertThrows(AssertionError.class, () -> assertRbacMinimal(secrets));
        RenderedManifests cluster = RenderedManifests.parse("test", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: everywhere}
                rules:
                  - apiGroups: [apps]
                    resources: [deployments]
                    verbs: [get]
                """);
        assertThrows(AssertionError.class, () -> assertRbacMinimal(cluster));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod"})
    void podDisruptionBudgetSelectsTheServicePods(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        JsonNode pdb = m.one("PodDisruptionBudget", "canary-judge");
        JsonNode podLabels = m.one("Deployment", "canary-judge").path("spec").path("template").path("metadata").path("labels");
        JsonNode selector = pdb.path("spec").path("selector").path("matchLabels");
        assertTrue(selector.size() > 0, dir + ": PDB selects nothing");
        selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(),
                dir + ": PDB label " + e.getKey() + " does not match the pods"));
        assertTrue(pdb.path("spec").has("maxUnavailable") || pdb.path("spec").has("minAvailable"));
    }

    /**
     * Every entry point that runs canary-judge keeps its analyses safe: PostgreSQL with credentials from a Secret
     * and the server certificate checked against a mounted CA (verify-full), or the embedded H2 store on a
     * PersistentVolumeClaim with one replica, strategy Recreate and CANARY_REPLICAS=1 (never H2 on an emptyDir,
     * never H2 under several replicas). CANARY_REPLICAS, the count the service's start-up rule trusts, is spec.replicas.
     */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/examples/single-instance", "deploy/examples/sealed-secrets"})
    void theStoreIsPostgresWithVerifiedTlsOrH2OnAVolumeWithOneReplica(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        JsonNode deployment = m.one("Deployment", "canary-judge");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        Map<String, String> env = effectiveEnv(m, deployment);
        String url = env.get("CANARY_DB_URL");
        assertNotNull(url, dir + ": no CANARY_DB_URL (the image's default is an H2 file in the container)");
        int replicas = deployment.path("spec").path("replicas").asInt(1);
        assertEquals(String.valueOf(replicas), env.get("CANARY_REPLICAS"), dir + ": CANARY_REPLICAS is not spec.replicas");
        if (url.startsWith("jdbc:postgresql://")) {
            Map<String, String> params = new HashMap<>();
            for (String kv : url.substring(url.indexOf('?') + 1).split("&")) {
                params.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
            assertEquals("verify-full", params.get("sslmode"), dir + ": " + url);
            String rootCert = params.get("sslrootcert");
            assertNotNull(rootCert, dir + ": verify-full needs the CA file");
            JsonNode volume = volumeMountedAt(pod, rootCert, dir);
            assertEquals("canary-judge-postgres-ca", volume.path("secret").path("secretName").asText(), dir);
            assertFalse(volume.path("secret").path("optional").asBoolean(false), dir + ": the CA must not be optional");
            assertEquals(rootCert.substring(rootCert.lastIndexOf('/') + 1),
                    volume.path("secret").path("items").get(0).path("path").asText(), dir);
            assertEquals("secret:canary-judge-db/password", env.get("CANARY_DB_PASSWORD"), dir);
            assertEquals("secret:canary-judge-db/username", env.get("CANARY_DB_USER"), dir);
        } else {
            assertTrue(url.startsWith("jdbc:h2:file:/"), dir + ": unknown store " + url);
            assertEquals(1, replicas, dir + ": the H2 store is per pod");
            assertEquals("Recreate", deployment.path("spec").path("strategy").path("type").asText(),
                    dir + ": a rolling update starts a second pod on the same H2 file");
            String file = url.substring("jdbc:h2:file:".length(), url.indexOf(';'));
            JsonNode volume = volumeMountedAt(pod, file, dir);
            String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
            assertFalse(claim.isEmpty(), dir + ": H2 on " + volume + " is lost with the pod");
            assertEquals("[\"ReadWriteOnce\"]",
                    m.one("PersistentVolumeClaim", claim).path("spec").path("accessModes").toString(), dir);
            assertFalse(env.containsKey("CANARY_DB_PASSWORD"), dir + ": no PostgreSQL, no PostgreSQL Secret");
        }
        for (JsonNode cm : m.ofKind("ConfigMap")) {
            cm.path("data").fieldNames().forEachRemaining(k -> assertFalse(k.contains("PASSWORD"),
                    dir + ": a password in ConfigMap " + RenderedManifests.name(cm)));
        }
        assertTrue(m.ofKind("Secret").isEmpty(), dir + ": secrets do not belong in git");
    }

    /** The volume whose mount path contains the file, from the canary-judge container's mounts. */
    private static JsonNode volumeMountedAt(JsonNode pod, String file, String dir) {
        for (JsonNode c : containers(pod)) {
            if (!c.path("name").asText().equals("canary-judge")) {
                continue;
            }
            for (JsonNode mount : c.path("volumeMounts")) {
                if (file.startsWith(mount.path("mountPath").asText() + "/")) {
                    for (JsonNode v : pod.path("volumes")) {
                        if (v.path("name").asText().equals(mount.path("name").asText())) {
                            return v;
                        }
                    }
                }
            }
        }
        throw new AssertionError(dir + ": nothing is mounted where " + file + " lives (the read-only root filesystem)");
    }

    /** The rule itself: H2 under two replicas, H2 on an emptyDir and PostgreSQL without certificate checks fail. */
    @Test
    void theStoreRuleRejectsReplicatedH2H2OnEmptyDirAndUncheckedTls() throws Exception {
        String[][] cases = {
                {"1", "jdbc:h2:file:/data/x;MODE=PostgreSQL", "Recreate", "persistentVolumeClaim: {claimName: d}"},
                {"2", "jdbc:h2:file:/data/x;MODE=PostgreSQL", "Recreate", "persistentVolumeClaim: {claimName: d}"},
                {"1", "jdbc:h2:file:/data/x;MODE=PostgreSQL", "Recreate", "emptyDir: {}"},
                {"1", "jdbc:h2:file:/data/x;MODE=PostgreSQL", "RollingUpdate", "persistentVolumeClaim: {claimName: d}"},
                {"1", "jdbc:postgresql://db:5432/x?sslmode=require", "RollingUpdate", "emptyDir: {}"}};
        String[] first = cases[0];
        for (String[] bad : cases) {
            RenderedManifests m = RenderedManifests.parse("test", """
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata: {name: d}
                    spec: {accessModes: [ReadWriteOnce]}
                    ---
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: c}
                    data: {CANARY_DB_URL: "%2$s", CANARY_REPLICAS: "%1$s"}
                    ---
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: canary-judge}
                    spec:
                      replicas: %1$s
                      strategy: {type: %3$s}
                      template:
                        spec:
                          containers:
                            - name: canary-judge
                              envFrom: [{configMapRef: {name: c}}]
                              volumeMounts: [{name: data, mountPath: /data}]
                          volumes: [{name: data, %4$s}]
                    """.formatted((Object[]) bad));
            RENDERED.put("test", m);
            try {
                if (bad == first) {
                    // the control: the same objects with one replica, Recreate and a claim pass
                    theStoreIsPostgresWithVerifiedTlsOrH2OnAVolumeWithOneReplica("test");
                } else {
                    assertThrows(AssertionError.class,
                            () -> theStoreIsPostgresWithVerifiedTlsOrH2OnAVolumeWithOneReplica("test"), String.join(" ", bad));
                }
            } finally {
                RENDERED.remove("test");
            }
        }
    }

    /**
     * Every Secret the Deployment needs (not optional) is delivered in the same rendering — as an ExternalSecret
     * (a reference to the secret manager) or a SealedSecret (ciphertext) — with every key it reads; optional ones
     * may be left out. Nothing is "created outside git" by hand.
     */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/examples/single-instance", "deploy/examples/sealed-secrets"})
    void everySecretTheDeploymentNeedsIsDeliveredByReferenceOrEncrypted(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        Map<String, Set<String>> delivered = new HashMap<>();
        for (JsonNode es : m.ofKind("ExternalSecret")) {
            String target = es.path("spec").path("target").path("name").asText(es.path("metadata").path("name").asText());
            Set<String> keys = new TreeSet<>(es.path("spec").path("data").findValuesAsText("secretKey"));
            JsonNode template = es.path("spec").path("target").path("template").path("data");
            if (template.size() > 0) {
                keys.clear(); // a template replaces the fetched keys with its own
                template.fieldNames().forEachRemaining(keys::add);
            }
            assertTrue(delivered.put(target, keys) == null, dir + ": two objects deliver " + target);
        }
        for (JsonNode ss : m.ofKind("SealedSecret")) {
            Set<String> keys = new TreeSet<>();
            ss.path("spec").path("encryptedData").fieldNames().forEachRemaining(keys::add);
            assertTrue(delivered.put(ss.path("metadata").path("name").asText(), keys) == null, dir);
        }
        JsonNode pod = m.one("Deployment", "canary-judge").path("spec").path("template").path("spec");
        Map<String, Set<String>> needed = new HashMap<>();
        for (JsonNode c : containers(pod)) {
            for (JsonNode e : c.path("env")) {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode() && !ref.path("optional").asBoolean(false)) {
                    needed.computeIfAbsent(ref.path("name").asText(), k -> new TreeSet<>()).add(ref.path("key").asText());
                }
            }
        }
        for (JsonNode v : pod.path("volumes")) {
            JsonNode secret = v.path("secret");
            if (!secret.isMissingNode() && !secret.path("optional").asBoolean(false)) {
                Set<String> keys = needed.computeIfAbsent(secret.path("secretName").asText(), k -> new TreeSet<>());
                secret.path("items").forEach(i -> keys.add(i.path("key").asText()));
            }
        }
        assertFalse(needed.isEmpty(), dir);
        needed.forEach((name, keys) -> {
            assertTrue(delivered.containsKey(name), dir + ": nothing delivers Secret " + name + " (" + delivered.keySet() + ")");
            assertTrue(delivered.get(name).containsAll(keys), dir + ": " + name + " lacks " + keys);
        });
        if (dir.equals("deploy/examples/single-instance")) {
            assertFalse(delivered.containsKey("canary-judge-db"), "no PostgreSQL: its credentials are not fetched");
        }
    }

    @Test
    void environmentsDifferOnlyInConfiguration() {
        RenderedManifests dev = RENDERED.get("deploy/envs/dev");
        Set<String> kinds = kindsAndBaseNames(dev);
        JsonNode devShape = shape(dev);
        for (String env : ENVS) {
            RenderedManifests m = RENDERED.get(env);
            assertEquals(kinds, kindsAndBaseNames(m), env + " has other resources than dev");
            assertEquals(devShape, shape(m), env + " differs from dev in more than configuration");
        }
        assertEquals(1, dev.one("Deployment", "canary-judge").path("spec").path("replicas").asInt());
        assertEquals(3, RENDERED.get("deploy/envs/prod").one("Deployment", "canary-judge").path("spec").path("replicas").asInt());
        Set<String> namespaces = new TreeSet<>();
        ENVS.forEach(e -> namespaces.add(RENDERED.get(e).one("Deployment", "canary-judge").path("metadata").path("namespace").asText()));
        assertEquals(3, namespaces.size(), "each environment in its own namespace: " + namespaces);
    }

    @Test
    void sidecarRunsBesideTheArgoRolloutsControllerOnItsOwnPort() {
        RenderedManifests m = RENDERED.get("deploy/sidecar/example");
        JsonNode controller = m.one("Deployment", "argo-rollouts");
        List<JsonNode> cs = containers(controller.path("spec").path("template").path("spec"));
        assertEquals(List.of("canary-judge", "argo-rollouts"), cs.stream().map(c -> c.path("name").asText()).sorted(
                (a, b) -> a.equals("canary-judge") ? -1 : 1).toList());
        Set<Integer> ports = new HashSet<>();
        for (JsonNode c : cs) {
            for (JsonNode p : c.path("ports")) {
                assertTrue(ports.add(p.path("containerPort").asInt()), "port collision " + p);
            }
        }
        Map<String, String> env = effectiveEnv(m, controller);
        assertEquals("8095", env.get("PORT"));
        assertEquals("127.0.0.1", env.get("QUARKUS_HTTP_HOST"), "reachable from the pod's own containers only");
        assertEquals("all", env.get("CANARY_ANALYSIS_OWNERSHIP"), "runs every analysis it is asked for");
        JsonNode sidecar = cs.stream().filter(c -> c.path("name").asText().equals("canary-judge")).findFirst()
                .orElseThrow();
        assertTrue(sidecar.path("readinessProbe").isMissingNode(), "must not make the controller pod NotReady");
        assertTrue(sidecar.path("volumeMounts").toString().contains("/var/run/secrets/kubernetes.io/serviceaccount"),
                "the controller's ServiceAccount token is hidden from the sidecar");
        assertTrue(m.ofKind("Service").isEmpty(), "the sidecar is reached on localhost only");
        assertTrue(m.ofKind("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding").isEmpty(),
                "the sidecar needs no RBAC of its own");
    }

    @Test
    void argoAnalysisTemplateGatesOnTheVerdictAndToleratesPending() {
        RenderedManifests m = RenderedManifests.render("deploy/argo-rollouts");
        JsonNode metric = m.one("AnalysisTemplate", "canary-judge").path("spec").path("metrics").get(0);
        assertEquals("result.verdict == \"PROMOTE\"", metric.path("successCondition").asText());
        assertEquals("result.verdict == \"ABORT\"", metric.path("failureCondition").asText());
        // PENDING is an inconclusive measurement: the limit must cover every interval but the last
        assertEquals(metric.path("count").asInt() - 1, metric.path("inconclusiveLimit").asInt());
        String url = metric.path("provider").path("web").path("url").asText();
        assertTrue(url.contains("/api/v1/argo/verdict?"), url);
        for (String param : url.substring(url.indexOf('?') + 1).split("&")) {
            assertTrue(Set.of("namespace", "rollout", "canaryHash", "stableHash", "template").contains(param.split("=")[0]),
                    "unknown parameter " + param);
        }
        JsonNode kayenta = m.one("AnalysisTemplate", "canary-judge-kayenta").path("spec").path("metrics").get(0)
                .path("provider").path("kayenta");
        assertEquals("http-golden-signals", kayenta.path("canaryConfigName").asText());
        everyImageIsPinnedByDigest(m);
    }

    @Test
    void flaggerCanaryWiresEveryHookToItsEndpointWithTheSameMetadata() {
        RenderedManifests m = RenderedManifests.render("deploy/flagger");
        JsonNode hooks = m.one("Canary", "checkout").path("spec").path("analysis").path("webhooks");
        Map<String, String> endpoint = Map.of("event", "/api/v1/flagger/event", "rollout", "/api/v1/flagger/check",
                "confirm-promotion", "/api/v1/flagger/gate");
        assertEquals(endpoint.keySet(), new HashSet<>(hooks.findValuesAsText("type")));
        for (JsonNode h : hooks) {
            assertTrue(h.path("url").asText().endsWith(endpoint.get(h.path("type").asText())), h.toString());
            assertEquals(hooks.get(0).path("metadata"), h.path("metadata"), "hooks must agree on the analysis");
        }
        JsonNode analysis = m.one("Canary", "checkout").path("spec").path("analysis");
        assertEquals(1, analysis.path("threshold").asInt(), "the check fails only on ABORT: roll back at once");
        assertTrue(analysis.path("stepWeight").asInt() > 0 && analysis.path("maxWeight").asInt() > 0,
                "a progressive canary with live traffic, not Blue/Green");
    }

    private static void everyImageIsPinnedByDigest(RenderedManifests m) {
        for (JsonNode pod : m.podSpecs()) {
            for (JsonNode c : containers(pod)) {
                assertTrue(DIGEST_IMAGE.matcher(c.path("image").asText()).matches(), m.dir() + ": " + c.path("image"));
            }
        }
    }

    static void assertRbacMinimal(RenderedManifests m) {
        assertTrue(m.ofKind("ClusterRole", "ClusterRoleBinding").isEmpty(), m.dir() + ": cluster-wide RBAC");
        for (JsonNode role : m.ofKind("Role")) {
            for (JsonNode rule : role.path("rules")) {
                for (String field : List.of("verbs", "resources", "apiGroups")) {
                    for (JsonNode v : rule.path(field)) {
                        assertFalse(v.asText().contains("*"), m.dir() + ": wildcard in " + RenderedManifests.name(role));
                    }
                }
                for (JsonNode v : rule.path("verbs")) {
                    assertTrue(ALLOWED_VERBS.contains(v.asText()), m.dir() + ": verb " + v.asText() + " in "
                            + RenderedManifests.name(role));
                }
                for (JsonNode r : rule.path("resources")) {
                    assertFalse(Set.of("secrets", "roles", "rolebindings", "serviceaccounts/token", "pods/exec")
                            .contains(r.asText()), m.dir() + ": " + r.asText() + " in " + RenderedManifests.name(role));
                }
            }
        }
        for (JsonNode binding : m.ofKind("RoleBinding")) {
            assertEquals("Role", binding.path("roleRef").path("kind").asText(), m.dir() + ": binds a ClusterRole");
            for (JsonNode s : binding.path("subjects")) {
                assertEquals("ServiceAccount", s.path("kind").asText(), m.dir() + ": binds a non-ServiceAccount");
            }
        }
    }

    private static List<JsonNode> containers(JsonNode pod) {
        List<JsonNode> out = new ArrayList<>();
        pod.path("initContainers").forEach(out::add);
        pod.path("containers").forEach(out::add);
        return out;
    }

    /** Ingress to the API only from canary-judge's namespace and namespaces labelled as its clients, on its port. */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod"})
    void aNetworkPolicyAdmitsOnlyLabelledClientNamespaces(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        JsonNode np = m.one("NetworkPolicy", "canary-judge");
        JsonNode deployment = m.one("Deployment", "canary-judge");
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        np.path("spec").path("podSelector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue(), podLabels.path(e.getKey()), dir + ": the policy selects canary-judge's pods"));
        assertEquals("[\"Ingress\"]", np.path("spec").path("policyTypes").toString());
        JsonNode rule = np.path("spec").path("ingress").get(0);
        assertEquals(1, np.path("spec").path("ingress").size());
        assertEquals("http", rule.path("ports").get(0).path("port").asText());
        assertEquals("{\"canary-judge.io/client\":\"true\"}",
                rule.path("from").get(1).path("namespaceSelector").path("matchLabels").toString());
    }

    /** Auth fails closed: every overlay takes its API keys from a Secret; only the localhost sidecar runs open. */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod",
            "deploy/sidecar/example"})
    void apiKeysComeFromASecretAndOnlyTheLocalhostSidecarRunsOpen(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        JsonNode workload = dir.contains("sidecar") ? m.one("Deployment", "argo-rollouts")
                : m.one("Deployment", "canary-judge");
        Map<String, String> env = effectiveEnv(m, workload);
        if (dir.contains("sidecar")) {
            assertEquals("open", env.get("CANARY_AUTH_MODE"), dir);
            assertEquals("127.0.0.1", env.get("QUARKUS_HTTP_HOST"), dir + ": open only when bound to localhost");
        } else {
            assertEquals("secret:canary-judge-api-keys/api-keys", env.get("CANARY_AUTH_API_KEYS"), dir);
            assertFalse("open".equals(env.get("CANARY_AUTH_MODE")), dir + ": runs open");
        }
    }

    /**
     * Rollback targets live in other namespaces than canary-judge: the component grants exactly what rollback
     * needs in the namespace of the kustomization that uses it, bound to canary-judge's own ServiceAccount.
     */
    @Test
    void aRollbackTargetNamespaceGetsTheMinimalRoleBoundToCanaryJudgesServiceAccount() {
        RenderedManifests m = RenderedManifests.render("deploy/rollback-targets/shop");
        assertEquals(2, m.documents().size(), "a Role and a RoleBinding, nothing cluster-wide");
        JsonNode role = m.one("Role", "canary-judge-rollback");
        assertEquals("shop", role.path("metadata").path("namespace").asText());
        Set<String> grants = new TreeSet<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode res : rule.path("resources")) {
                for (JsonNode verb : rule.path("verbs")) {
                    grants.add(rule.path("apiGroups").get(0).asText() + "/" + res.asText() + ":" + verb.asText());
                }
            }
        }
        assertEquals(new TreeSet<>(List.of("apps/replicasets:get", "apps/replicasets:list", "apps/deployments:get",
                "apps/deployments:patch", "argoproj.io/rollouts:get", "argoproj.io/rollouts:patch",
                "argoproj.io/rollouts/status:patch")), grants);
        JsonNode binding = m.one("RoleBinding", "canary-judge-rollback");
        assertEquals("shop", binding.path("metadata").path("namespace").asText());
        assertEquals("Role", binding.path("roleRef").path("kind").asText());
        JsonNode subject = binding.path("subjects").get(0);
        assertEquals("ServiceAccount", subject.path("kind").asText());
        assertEquals("canary-judge", subject.path("name").asText());
        assertEquals("canary-judge", subject.path("namespace").asText(), "canary-judge's own namespace, not shop");
    }

    /**
     * Prometheus is one deployment-wide resource: the replicas' query permits together stay under its default
     * --query.max-concurrency (20), and the URL is a load-balanced Service, not the operator's headless
     * prometheus-operated (consecutive queries of one measurement could reach HA replicas with different data).
     */
    @ParameterizedTest
    @ValueSource(strings = {"deploy/base", "deploy/envs/dev", "deploy/envs/staging", "deploy/envs/prod"})
    void thePrometheusQueryBudgetIsForTheWholeDeployment(String dir) {
        RenderedManifests m = RENDERED.get(dir);
        JsonNode deployment = m.one("Deployment", "canary-judge");
        Map<String, String> env = effectiveEnv(m, deployment);
        int replicas = deployment.path("spec").path("replicas").asInt(1);
        int perPod = Integer.parseInt(env.getOrDefault("CANARY_PROMETHEUS_MAX_CONCURRENCY", "16"));
        assertTrue(replicas * perPod <= 20, dir + ": " + replicas + " replicas x " + perPod + " queries in flight "
                + "exceed Prometheus' default --query.max-concurrency of 20");
        String url = env.getOrDefault("CANARY_PROMETHEUS_URL", "");
        assertFalse(url.contains("prometheus-operated"), dir + ": " + url + " is the operator's headless Service");
    }

    /**
     * Prod reaches the brokers' SASL_SSL listener on :9093 with SCRAM-SHA-512 by configuration alone, and the two
     * secrets of that connection are files of the Secret canary-judge-kafka mounted read-only: the trust store is its
     * ca.crt, and the JAAS line references its password file through a Kafka config provider (escaped from Quarkus'
     * own expansion) instead of carrying the password. The Secret is optional in the base, so dev and staging, which
     * stay on PLAINTEXT, start without it.
     */
    @Test
    void prodConnectsToKafkaOverSaslSslWithThePasswordAndTheCaFromAMountedSecret() {
        RenderedManifests m = RENDERED.get("deploy/envs/prod");
        JsonNode deployment = m.one("Deployment", "canary-judge");
        Map<String, String> env = effectiveEnv(m, deployment);
        assertTrue(env.get("KAFKA_BOOTSTRAP_SERVERS").endsWith(":9093"), env.get("KAFKA_BOOTSTRAP_SERVERS"));
        assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL"));
        assertEquals("SCRAM-SHA-512", env.get("KAFKA_SASL_MECHANISM"));
        assertEquals("PEM", env.get("KAFKA_SSL_TRUSTSTORE_TYPE"));
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        String volume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("secret").path("secretName").asText().equals("canary-judge-kafka")) {
                volume = v.path("name").asText();
            }
        }
        assertNotNull(volume, "no volume of the Secret canary-judge-kafka");
        String mountPath = null;
        for (JsonNode c : containers(pod)) {
            for (JsonNode mount : c.path("volumeMounts")) {
                if (c.path("name").asText().equals("canary-judge") && mount.path("name").asText().equals(volume)) {
                    assertTrue(mount.path("readOnly").asBoolean(), mount.toString());
                    mountPath = mount.path("mountPath").asText();
                }
            }
        }
        assertNotNull(mountPath, "the Secret canary-judge-kafka is not mounted in the canary-judge container");
        assertEquals(mountPath + "/ca.crt", env.get("KAFKA_SSL_TRUSTSTORE_LOCATION"));
        String provider = env.get("KAFKA_CONFIG_PROVIDERS");
        String prefix = "KAFKA_CONFIG_PROVIDERS_" + provider.toUpperCase() + "_";
        assertEquals("org.apache.kafka.common.config.provider.DirectoryConfigProvider", env.get(prefix + "CLASS"));
        assertEquals(mountPath, env.get(prefix + "PARAM_ALLOWED_PATHS"), "the provider reads nothing else");
        String jaas = env.get("KAFKA_SASL_JAAS_CONFIG");
        assertTrue(jaas.startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required "), jaas);
        assertTrue(jaas.contains(" password=\"$${" + provider + ":" + mountPath + ":password}\""), jaas);
        for (String dir : List.of("deploy/envs/dev", "deploy/envs/staging")) {
            RenderedManifests other = RENDERED.get(dir);
            assertFalse(effectiveEnv(other, other.one("Deployment", "canary-judge")).containsKey("KAFKA_SECURITY_PROTOCOL"),
                    dir + " stays on the cluster-internal PLAINTEXT listener");
        }
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                assertTrue(v.path("secret").path("optional").asBoolean(), "dev and staging have no such Secret");
            }
        }
    }

    /** Environment of the canary-judge container as the kubelet sees it: envFrom ConfigMaps, then env entries. */
    private static Map<String, String> effectiveEnv(RenderedManifests m, JsonNode workload) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode c : containers(workload.path("spec").path("template").path("spec"))) {
            if (!c.path("name").asText().equals("canary-judge")) {
                continue;
            }
            for (JsonNode from : c.path("envFrom")) {
                String cm = from.path("configMapRef").path("name").asText();
                m.one("ConfigMap", cm).path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            }
            for (JsonNode e : c.path("env")) {
                JsonNode secret = e.path("valueFrom").path("secretKeyRef");
                env.put(e.path("name").asText(), secret.isMissingNode() ? e.path("value").asText()
                        : "secret:" + secret.path("name").asText() + "/" + secret.path("key").asText());
            }
        }
        return env;
    }

    private static Set<String> kindsAndBaseNames(RenderedManifests m) {
        Set<String> out = new TreeSet<>();
        // generated ConfigMaps carry a content hash suffix: compare without it
        m.documents().forEach(d -> out.add(RenderedManifests.name(d).replaceAll("-[a-z0-9]{10}$", "")));
        return out;
    }

    /** The Deployment with everything an environment may configure taken out. */
    private static JsonNode shape(RenderedManifests m) {
        com.fasterxml.jackson.databind.node.ObjectNode d = m.one("Deployment", "canary-judge").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) d.path("metadata")).remove("namespace");
        ((com.fasterxml.jackson.databind.node.ObjectNode) d.path("spec")).remove("replicas");
        com.fasterxml.jackson.databind.node.ObjectNode pod = (com.fasterxml.jackson.databind.node.ObjectNode) d.path("spec")
                .path("template").path("spec");
        pod.remove("topologySpreadConstraints");
        for (JsonNode c : pod.path("containers")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) c).remove(List.of("resources", "env", "envFrom"));
        }
        return d;
    }
}
