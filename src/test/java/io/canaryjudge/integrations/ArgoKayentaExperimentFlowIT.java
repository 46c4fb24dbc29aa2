package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.SyntheticWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Argo Rollouts' kayenta provider with an Experiment, against the packaged service with real API keys, through the
 * shipped deploy/argo-rollouts/rollout-kayenta.yaml and analysistemplate-kayenta.yaml: the Rollout's experiment step
 * becomes an Experiment whose analysis args the experiment controller resolves ({@link
 * ArgoAnalysisRun#experimentArgs}: availableAt, finishedAt = availableAt + duration, the baseline's and canary's
 * pod-template hashes), the AnalysisRun adds the template's api-key from the Secret, and the kayenta provider
 * ({@link ArgoKayentaRun}) looks the config up, posts the job to the address with the key in its path and polls the
 * execution until its score is classified with the template's thresholds. A real broker; a real Prometheus
 * backfilled with {@link DemoScenario}'s workload, whose series carry the rollouts_pod_template_hash label
 * Prometheus' Kubernetes discovery gives the experiment's pods: checkout's pair is the first experiment (a worse
 * canary), cart's pair the second one of the same Rollout (a canary like its baseline), payments' pair a third (a
 * healthy canary with too little traffic to judge in 20 minutes). For each, the Experiment's end is emulated from
 * when the analysis would have ended live ({@link ArgoAnalysisRun#experimentPhase}): the Rollout must see the
 * analysis' phase, which for the third needs the step's {@code requiredForCompletion}. Deviations from a cluster:
 * the experiments became available when the workload's canaries started, hours ago (canary-judge analyses the
 * recorded window at once instead of over 20 live minutes), and the controller's 15 s resume and 10 s error-retry
 * delays are shortened.
 */
class ArgoKayentaExperimentFlowIT {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String KAYENTA_KEY = "kayenta-key-0123456789abcdef01";
    private static final String DEPLOYER_KEY = "deployer-key-0123456789abcdef";
    private static final String HOST = "http://canary-judge.canary-judge.svc";
    private static final ArgoKayentaRun.Timing TIMING = new ArgoKayentaRun.Timing(Duration.ofMillis(500),
            Duration.ofMillis(100), Duration.ofSeconds(150));
    /** pod-template hashes of the experiments' ReplicaSets, as the backfilled series carry them. */
    private static final Map<String, String> HASHES = Map.of(
            "checkout/stable", "6d9f8c7b54", "checkout/canary", "58c7b6d9f4",
            "cart/stable", "7f6b5d8c94", "cart/canary", "9c4d7f6b85",
            "payments/stable", "8b5c9d7f46", "payments/canary", "4f7d6c8b95");
    /** Argo's resumeDelay: the provider sees an execution complete at the first poll after it completed. */
    private static final Duration ARGO_RESUME = Duration.ofSeconds(15);

    @Test
    void aWorseCanaryFailsAHealthyOneSucceedsAndTheKeyInTheAddressIsChecked() throws Exception {
        JsonNode template = YAML.readTree(Path.of("deploy/argo-rollouts/analysistemplate-kayenta.yaml").toFile());
        JsonNode rollout = YAML.readTree(Path.of("deploy/argo-rollouts/rollout-kayenta.yaml").toFile());
        JsonNode experiment = rollout.path("spec").path("strategy").path("canary").path("steps").get(0)
                .path("experiment");
        JsonNode analysis = experiment.path("analyses").get(0);
        assertEquals(template.path("metadata").path("name").asText(), analysis.path("templateName").asText());
        assertEquals(1, template.path("spec").path("metrics").size());
        JsonNode metric = template.path("spec").path("metrics").get(0);
        int pass = metric.path("provider").path("kayenta").path("threshold").path("pass").asInt();

        Path dir = Files.createTempDirectory("argo-kayenta-it");
        Instant availableAt = DemoScenario.startedAt(Instant.now());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"),
                     withPodTemplateHashes(workload(availableAt).openMetrics()))) {
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates",
                    "CANARY_AUTH_API_KEYS", "argo-kayenta:" + KAYENTA_KEY + ":kayenta,ci:" + DEPLOYER_KEY + ":deployer",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                String log = " (service log " + dir.resolve("service.log") + ")";
                // the first experiment: checkout's worse canary beside a baseline of the stable spec
                Map<String, String> first = args(template, experiment, availableAt, "checkout", KAYENTA_KEY);
                assertEquals(availableAt.toString(), first.get("start-time"));
                assertEquals(availableAt.plus(Duration.ofMinutes(20)).toString(), first.get("end-time"));
                ArgoKayentaRun.End failed = ArgoKayentaRun.run(metric, first, HOST, service.url(), TIMING);
                assertEquals("Failed", failed.phase(), failed + log);
                assertEquals("ABORT", failed.execution().path("canaryJudge").path("verdict").asText(), failed + log);
                assertEquals("Fail", failed.execution().path("result").path("judgeResult").path("score")
                        .path("classification").asText(), failed + log);
                assertEquals(0, failed.errors(), failed + log);
                assertEquals("Failed", rolloutSees(experiment, analysis, availableAt, failed, service), failed + log);

                // the next revision's experiment: a canary that behaves like its baseline
                ArgoKayentaRun.End successful = ArgoKayentaRun.run(metric,
                        args(template, experiment, availableAt, "cart", KAYENTA_KEY), HOST, service.url(), TIMING);
                assertEquals("Successful", successful.phase(), successful + log);
                assertEquals("PROMOTE", successful.execution().path("canaryJudge").path("verdict").asText(),
                        successful + log);
                assertTrue(Integer.parseInt(successful.value()) >= pass, successful.toString());
                assertEquals("Successful", rolloutSees(experiment, analysis, availableAt, successful, service),
                        successful + log);

                // a healthy canary with too little traffic to rule out a doubled error rate: canary-judge measures
                // all of maxCount, 20 one-minute intervals, and ends INCONCLUSIVE just as the experiment's 20 minutes
                // run out; the Rollout must still see it (and pause for a person), not a Successful experiment
                ArgoKayentaRun.End inconclusive = ArgoKayentaRun.run(metric,
                        args(template, experiment, availableAt, "payments", KAYENTA_KEY), HOST, service.url(), TIMING);
                assertEquals("Inconclusive", inconclusive.phase(), inconclusive + log);
                assertEquals("INCONCLUSIVE", inconclusive.execution().path("canaryJudge").path("verdict").asText());
                assertEquals("Inconclusive", rolloutSees(experiment, analysis, availableAt, inconclusive, service),
                        "the experiment ended before the analysis and dropped its verdict" + log);

                // the address without the key: Argo's config lookup is a read and passes, the job post is refused
                ObjectNode keyless = metric.deepCopy();
                ObjectNode provider = (ObjectNode) keyless.path("provider").path("kayenta");
                provider.put("address", provider.path("address").asText().replace("/key/{{args.api-key}}", ""));
                ArgoKayentaRun.End unauthenticated = ArgoKayentaRun.run(keyless, first, HOST, service.url(), TIMING);
                assertEquals("Error", unauthenticated.phase(), unauthenticated.toString());
                assertEquals(401, unauthenticated.lastStatus(), unauthenticated.toString());
                assertEquals(5, unauthenticated.errors(), "consecutiveErrorLimit 4: the fifth error ends it");

                // a deployer key in the Secret: a key that opens more than one integration is refused in a URL
                ArgoKayentaRun.End refused = ArgoKayentaRun.run(metric,
                        args(template, experiment, availableAt, "checkout", DEPLOYER_KEY), HOST, service.url(), TIMING);
                assertEquals("Error", refused.phase(), refused.toString());
                assertEquals(403, refused.lastStatus(), refused.toString());
                assertEquals("Invalid Response: HTTP 403", refused.message());
            }
        }
    }

    /**
     * The Experiment's phase, which the Rollout acts on, had the analysis run live from availableAt: its verdict
     * exists once its last window closed (the service's query delay is 0), and Argo sees it at the next resume.
     */
    private static String rolloutSees(JsonNode experiment, JsonNode analysis, Instant availableAt,
                                      ArgoKayentaRun.End end, ServiceProcess service) throws Exception {
        String id = end.execution().path("canaryJudge").path("analysisId").asText();
        JsonNode record = new com.fasterxml.jackson.databind.ObjectMapper().readTree(java.net.http.HttpClient
                .newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.url()
                        + "/api/v1/analyses/" + id)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        JsonNode measurements = record.path("measurements");
        assertTrue(measurements.size() > 0, record.toString());
        String windowEnd = measurements.get(measurements.size() - 1).path("windowEnd").asText(null);
        assertTrue(windowEnd != null, "no windowEnd in " + measurements.get(measurements.size() - 1));
        long polls = Duration.between(availableAt, Instant.parse(windowEnd)).dividedBy(ARGO_RESUME) + 1;
        return ArgoAnalysisRun.experimentPhase(analysis, availableAt, experiment.path("duration").asText(),
                availableAt.plus(ARGO_RESUME.multipliedBy(polls)), end.phase());
    }

    /**
     * {@link DemoScenario}'s workload (the same series for checkout and cart) and payments: a healthy canary at 1
     * requests a second beside a stable one at 60.
     */
    private static SyntheticWorkload workload(Instant startedAt) {
        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.040, 0.35, 200_000_000L,
                4_000_000L, 0.008);
        SyntheticWorkload.Profile worse = new SyntheticWorkload.Profile(6, 0.05, 0.120, 0.35, 260_000_000L,
                4_000_000L, 0.0144);
        SyntheticWorkload.Profile idle = new SyntheticWorkload.Profile(0, 0, 0.040, 0.35, 200_000_000L, 4_000_000L,
                0.008);
        SyntheticWorkload.Profile healthy = new SyntheticWorkload.Profile(30, 0.002, 0.040, 0.35, 200_000_000L,
                4_000_000L, 0.008);
        SyntheticWorkload.Profile healthyQuiet = new SyntheticWorkload.Profile(1, 0.002, 0.040, 0.35, 200_000_000L,
                4_000_000L, 0.008);
        return new SyntheticWorkload(startedAt.minus(Duration.ofMinutes(15)), startedAt.plus(Duration.ofMinutes(30)),
                List.of(new SyntheticWorkload.Service("shop", "checkout", stable, worse),
                        new SyntheticWorkload.Service("shop", "cart", stable, healthy),
                        new SyntheticWorkload.Service("shop", "search", stable, idle),
                        new SyntheticWorkload.Service("shop", "payments", stable, healthyQuiet)));
    }

    /** The AnalysisRun's args: the experiment's analysis args resolved, then the template's with the Secret. */
    private static Map<String, String> args(JsonNode template, JsonNode experiment, Instant availableAt,
                                            String pair, String secretKey) {
        JsonNode resolved = ArgoAnalysisRun.experimentArgs(experiment.path("analyses").get(0).path("args"),
                availableAt, experiment.path("duration").asText(),
                Map.of("baseline", HASHES.get(pair + "/stable"), "canary", HASHES.get(pair + "/canary")));
        return ArgoAnalysisRun.args(template.path("spec").path("args"), resolved, Map.of(), Map.of(),
                Map.of("canary-judge-kayenta-key/api-key", secretKey));
    }

    /** The label Prometheus' Kubernetes discovery writes for a pod's rollouts-pod-template-hash. */
    private static String withPodTemplateHashes(String openMetrics) {
        String out = openMetrics;
        for (Map.Entry<String, String> e : HASHES.entrySet()) {
            String[] pairTrack = e.getKey().split("/");
            String cohort = "service=\"" + pairTrack[0] + "\",track=\"" + pairTrack[1] + "\"";
            assertTrue(out.contains(cohort), cohort);
            out = out.replace(cohort, cohort + ",rollouts_pod_template_hash=\"" + e.getValue() + "\"");
        }
        return out;
    }
}
