package io.canaryjudge.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.LiveMetricsServer;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import io.canaryjudge.testing.SyntheticWorkload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Whole Flagger canaries against the packaged service, with the shipped deploy/flagger/canary.yaml run as Flagger's
 * controller runs it ({@link FlaggerCanaryRun}: the event, rollout and confirm-promotion hooks of the file with
 * Flagger's payload, the weight advanced by stepWeight up to maxWeight, threshold failed checks rolling back). Live
 * synthetic traffic carries the app labels of Flagger's pods (app=name for the canary, app=name-primary), a real
 * Prometheus scrapes it and a real broker takes the verdicts. The file's Canary is for checkout; the other canaries
 * are the same file with their own name, as a team copies it. Two deviations from a cluster, both test speed: the
 * hooks' metadata asks for {@code template: live-fast} (6 measurements 4 s apart; the metadata may name any template)
 * and the emulated interval is 2 s instead of 1m. Flagger sends no header: the webhooks are the open prefix
 * (CANARY_AUTH_OPEN_PREFIXES, docs/operations.md) while the decisions API needs a person's key.
 */
class FlaggerCanaryFlowIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = "person-key-0123456789abcdef";
    /** Flagger's own key: role flagger only, sent in the hooks' URL path (Flagger cannot send a header). */
    private static final String FLAGGER_KEY = "flagger-key-0123456789abcdef";
    private static final String HOST = "http://canary-judge.canary-judge.svc";
    private static final Duration INTERVAL = Duration.ofSeconds(2);

    @Test
    void promoteRollbackAPersonsDecisionAndANewRevisionMidAnalysisThroughTheShippedCanary() throws Exception {
        // the key in the hooks' URL path, substituted as Flux's postBuild.substituteFrom (a Secret) does at apply time
        String file = Files.readString(Path.of("deploy/flagger/canary.yaml"))
                .replace("${CANARY_JUDGE_FLAGGER_KEY}", FLAGGER_KEY);
        JsonNode shipped = read(file);
        JsonNode analysis = shipped.path("spec").path("analysis");
        assertEquals(1, analysis.path("threshold").asInt());
        int maxWeight = analysis.path("maxWeight").asInt();
        assertTrue(analysis.path("stepWeight").asInt() > 0 && maxWeight > analysis.path("stepWeight").asInt());

        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.04, 0.35, 200_000_000L,
                4_000_000L, 0.008);
        SyntheticWorkload.Profile bad = new SyntheticWorkload.Profile(20, 0.10, 0.12, 0.35, 260_000_000L, 4_000_000L,
                0.0144);
        SyntheticWorkload.Profile good = new SyntheticWorkload.Profile(20, 0.0, 0.04, 0.35, 200_000_000L, 4_000_000L,
                0.008);
        SyntheticWorkload.Profile idle = new SyntheticWorkload.Profile(0, 0, 0.04, 0.35, 200_000_000L, 4_000_000L,
                0.008);
        List<SyntheticWorkload.Service> services = List.of(
                new SyntheticWorkload.Service("shop", "checkout", stable, bad),
                new SyntheticWorkload.Service("shop", "cart", stable, good),
                new SyntheticWorkload.Service("shop", "search", stable, idle),
                new SyntheticWorkload.Service("shop", "payments", stable, good));
        Path dir = Files.createTempDirectory("flagger-flow-it");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             LiveMetricsServer live = LiveMetricsServer.start(services);
             PrometheusServer prometheus = PrometheusServer.scraping(dir.resolve("prometheus"), live.target())) {
            Thread.sleep(3000); // a few scrapes before the first window closes
            Map<String, String> env = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "CANARY_PROMETHEUS_URL", prometheus.url(),
                    "CANARY_TEMPLATES_DIR", "analysis-templates,src/test/resources/test-templates",
                    "CANARY_ANALYSIS_QUERY_DELAY", "1s",
                    "CANARY_AUTH_API_KEYS", "person:" + PERSON + ":approver,flagger:" + FLAGGER_KEY + ":flagger",
                    "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                // PENDING → ABORT: the rollout check fails once (412, ABORT), threshold 1 rolls back at the next pass
                FlaggerCanaryRun checkout = canary(file, "checkout", service);
                checkout.deploy("checkout-v2");
                FlaggerCanaryRun.End rolledBack = checkout.run(INTERVAL, 40, r -> { });
                assertEquals("Failed", rolledBack.phase(), rolledBack.events().toString());
                List<FlaggerCanaryRun.Call> checks = rolledBack.of("rollout");
                FlaggerCanaryRun.Call failed = checks.get(checks.size() - 1);
                assertEquals(412, failed.status(), failed.toString());
                assertEquals("ABORT", failed.body().path("verdict").asText());
                assertTrue(checks.subList(0, checks.size() - 1).stream().allMatch(c -> c.status() == 200
                        && c.body().path("verdict").asText().equals("PENDING")), checks.toString());
                assertTrue(rolledBack.events().contains("Rolling back checkout.shop failed checks threshold reached 1"),
                        rolledBack.events().toString());
                assertTrue(rolledBack.of("confirm-promotion").stream().noneMatch(FlaggerCanaryRun.Call::passed));
                assertEquals("ABORT", analysis(service, failed.body().path("analysisId").asText()).path("verdict")
                        .asText());

                // PENDING → PROMOTE: the weight goes to maxWeight, the gate stays closed while PENDING, then opens
                FlaggerCanaryRun cart = canary(file, "cart", service);
                cart.deploy("cart-v2");
                FlaggerCanaryRun.End promoted = cart.run(INTERVAL, 60, r -> { });
                assertEquals("Succeeded", promoted.phase(), promoted.events().toString());
                assertEquals(maxWeight, promoted.maxWeightReached());
                List<FlaggerCanaryRun.Call> gates = promoted.of("confirm-promotion");
                assertEquals(200, gates.get(gates.size() - 1).status());
                assertEquals("PROMOTE", gates.get(gates.size() - 1).body().path("verdict").asText());
                assertTrue(promoted.of("rollout").stream().allMatch(FlaggerCanaryRun.Call::passed));
                assertTrue(promoted.events().contains("Promotion completed! Scaling down cart.shop"));

                // INCONCLUSIVE → a person: no canary traffic, the check passes, the gate stays closed (Flagger waits
                // in WaitingPromotion) until a person approves in canary-judge; the next gate call opens
                AtomicReference<String> decided = new AtomicReference<>();
                FlaggerCanaryRun search = canary(file, "search", service);
                search.deploy("search-v2");
                FlaggerCanaryRun.End approved = search.run(INTERVAL, 60, r -> {
                    List<FlaggerCanaryRun.Call> g = r.phase().equals("WaitingPromotion") ? lastGate(r) : List.of();
                    if (!g.isEmpty() && "INCONCLUSIVE".equals(g.get(0).body().path("verdict").asText())
                            && decided.get() == null) {
                        decided.set(approve(service, g.get(0).body().path("analysisId").asText()));
                    }
                });
                assertEquals("200", decided.get(), "the approval was accepted");
                assertEquals("Succeeded", approved.phase(), approved.events().toString());
                assertTrue(approved.events().contains("Halt search.shop advancement waiting for promotion approval "
                        + "canary-judge-gate"), approved.events().toString());
                List<FlaggerCanaryRun.Call> searchGates = approved.of("confirm-promotion");
                assertEquals("PROMOTE", searchGates.get(searchGates.size() - 1).body().path("verdict").asText());
                assertTrue(approved.of("rollout").stream().allMatch(FlaggerCanaryRun.Call::passed),
                        "INCONCLUSIVE fails no check: it is the gate that waits");

                // a new revision mid-analysis: Flagger's restart event carries the old checksum; the old analysis
                // ends CANCELLED at once and the new checksum gets a fresh analysis that runs to its own verdict
                FlaggerCanaryRun payments = canary(file, "payments", service);
                payments.deploy("payments-v2");
                AtomicReference<FlaggerCanaryRun.Call> firstCheck = new AtomicReference<>();
                AtomicReference<String> oldChecksum = new AtomicReference<>();
                FlaggerCanaryRun.End restarted = payments.run(INTERVAL, 60, r -> {
                    if (firstCheck.get() == null) {
                        paymentsCheck(r, firstCheck);
                        if (firstCheck.get() != null) {
                            oldChecksum.set(r.checksum());
                            r.deploy("payments-v3");
                        }
                    }
                });
                assertEquals("Succeeded", restarted.phase(), restarted.events().toString());
                String oldId = firstCheck.get().body().path("analysisId").asText();
                FlaggerCanaryRun.Call restartEvent = restarted.calls().stream().filter(c -> c.eventMessage() != null
                        && c.eventMessage().startsWith("New revision detected! Restarting analysis")).findFirst()
                        .orElseThrow();
                assertEquals(oldChecksum.get(), restartEvent.checksum(), "sent with the old revision's checksum");
                assertEquals("Progressing", restartEvent.phase());
                assertEquals("superseded", restartEvent.body().path("action").asText(), restartEvent.toString());
                assertEquals(oldId, restartEvent.body().path("analysisId").asText());
                JsonNode old = analysis(service, oldId);
                assertEquals("CANCELLED", old.path("phase").asText(), old.toString());
                assertTrue(old.path("verdict").isMissingNode() || old.path("verdict").isNull(), old.toString());
                List<FlaggerCanaryRun.Call> paymentGates = restarted.of("confirm-promotion");
                FlaggerCanaryRun.Call opened = paymentGates.get(paymentGates.size() - 1);
                assertNotEquals(oldChecksum.get(), opened.checksum());
                assertNotEquals(oldId, opened.body().path("analysisId").asText(), "a fresh analysis");
                assertEquals("PROMOTE", opened.body().path("verdict").asText());
                assertFalse(restarted.calls().stream().anyMatch(c -> c.checksum().equals(oldChecksum.get())
                        && c.type().equals("confirm-promotion") && c.passed()), "the old revision was never promoted");
            }
        }
    }

    /** The shipped Canary under {@code name} (the file with its name replaced) asking for the live-fast template. */
    private static FlaggerCanaryRun canary(String file, String name, ServiceProcess service) throws Exception {
        JsonNode c = read(file.replace("checkout", name));
        for (JsonNode w : c.path("spec").path("analysis").path("webhooks")) {
            ((ObjectNode) w.path("metadata")).put("template", "live-fast");
        }
        return new FlaggerCanaryRun(c, HOST, service.url(), name + "-v1");
    }

    /** The Canary as kubectl sends it: SnakeYAML resolves the file's anchor and aliases (the hooks' metadata). */
    private static JsonNode read(String yaml) {
        return JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(yaml));
    }

    private static List<FlaggerCanaryRun.Call> lastGate(FlaggerCanaryRun r) {
        return r.lastCall("confirm-promotion").map(List::of).orElse(List.of());
    }

    private static void paymentsCheck(FlaggerCanaryRun r, AtomicReference<FlaggerCanaryRun.Call> first) {
        r.lastCall("rollout").filter(c -> c.body().path("verdict").asText().equals("PENDING")).ifPresent(first::set);
    }

    private static JsonNode analysis(ServiceProcess service, String id) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
                + "/api/v1/analyses/" + id)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static String approve(ServiceProcess service, String analysisId) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
                    + "/api/v1/analyses/" + analysisId + "/decisions")).header("Authorization", "Bearer " + PERSON)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"approve\",\"reason\":\"no traffic on the "
                            + "canary by design: checked by hand\"}")).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? "200" : r.statusCode() + " " + r.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
