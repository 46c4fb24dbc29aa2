package io.canaryjudge.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.PrometheusServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The README's end-to-end demo on real parts: a KRaft Kafka broker, a Prometheus backfilled with a synthetic
 * workload (one visibly worse canary, one healthy canary), the packaged service as its own process, two
 * deployment events produced to Kafka, and the verdicts read back from {@code canary-verdicts}.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        boolean keep = args.length > 0 && args[0].equals("--keep-running");
        Path work = Path.of(".demo");
        deleteRecursively(work);
        Files.createDirectories(work);
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        say("starting Prometheus with a backfilled synthetic workload around " + startedAt);
        try (PrometheusServer prometheus = PrometheusServer.start(work.resolve("prometheus"),
                DemoScenario.workload(startedAt).openMetrics());
             EmbeddedKafka kafka = startKafka(work)) {
            int port = System.getenv("PORT") != null ? Integer.parseInt(System.getenv("PORT")) : freePort(8080);
            String base = "http://localhost:" + port;
            say("starting canary-judge on " + base);
            Process service = startService(work, port, kafka.bootstrapServers(), prometheus.url());
            try (KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
                awaitReady(service, base, work);
                String bad = "demo-checkout-" + System.currentTimeMillis();
                String good = "demo-cart-" + System.currentTimeMillis();
                say("producing two deployment events to topic 'deployments':");
                say("  shop/checkout  canary visibly worse (5% errors vs 0.2%, 3x latency, +30% memory)");
                say("  shop/cart      canary like its stable cohort");
                client.send("deployments", "shop/checkout", DemoScenario.event(bad, DemoScenario.BAD_SERVICE, startedAt));
                client.send("deployments", "shop/cart", DemoScenario.event(good, DemoScenario.GOOD_SERVICE, startedAt));
                for (String id : new String[] {bad, good}) {
                    ConsumerRecord<String, byte[]> r = client.await("canary-verdicts",
                            rec -> KafkaTestClient.value(rec).contains("\"eventId\":\"" + id + "\""), Duration.ofSeconds(120));
                    print(JSON.readTree(r.value()), base);
                }
                say("");
                say("Kafka: " + kafka.bootstrapServers() + "   Prometheus: " + prometheus.url() + "   service: " + base);
                say("Web page: " + base + "/   History: curl -s " + base + "/api/v1/analyses | jq");
                if (keep) {
                    say("Everything keeps running; press Ctrl-C to stop.");
                    service.waitFor();
                }
            } finally {
                service.destroy();
                if (!service.waitFor(20, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    private static void print(JsonNode v, String base) {
        say("");
        boolean sequential = "sequential".equals(v.path("mode").asText());
        say("VERDICT " + v.path("verdict").asText() + "  for " + v.path("namespace").asText() + "/"
                + v.path("service").asText() + "  (" + (sequential ? "sequential, " + v.path("measurements").asInt()
                + " measurement(s)" : "score " + v.path("score").asText()) + ", template " + v.path("template").asText() + ")");
        if (sequential) {
            // the reason repeats every critical test's sentence: its first sentence is enough next to the table
            String reason = v.path("reason").asText();
            int cut = reason.indexOf(". ", reason.indexOf("):") + 1);
            say("  reason:   " + (v.path("verdict").asText().equals("PROMOTE") && cut > 0 ? reason.substring(0, cut + 1)
                    : reason));
            say("  per test: ln M against ln(1/α) — an abort test (counts, ranks, tail) there aborts; rule-out and within");
            say("  there are what PROMOTE needs (the detectable regression, the tolerance ruled out); anytime p = 1/max M");
            for (JsonNode m : v.path("metrics")) {
                say(String.format("  %-20s %-8s %s", m.path("name").asText(), m.path("classification").asText(),
                        m.path("critical").asBoolean() ? "critical" : "").stripTrailing());
                // the sentence a person reads first: the effect in the metric's units, how sure, against the margins
                JsonNode first = m.path("sequential").path(0);
                if (first.has("explanation")) {
                    String text = first.path("explanation").asText();
                    int stats = text.indexOf(" (", text.indexOf(": "));
                    say("      " + (stats > 0 ? text.substring(0, stats) : text));
                }
                for (JsonNode t : m.path("sequential")) {
                    double logM = t.path("logM").asDouble();
                    say(String.format(Locale.ROOT, "      %-13s ln M %7.3f %s %.3f   anytime p %-9s %s", label(m, t),
                            logM, logM >= t.path("threshold").asDouble() ? "≥" : "<",
                            t.path("threshold").asDouble(), String.format(Locale.ROOT, "%.3g", t.path("pValue").asDouble()),
                            estimate(t)));
                    if (t.has("ruleOutLogM")) {
                        say(String.format(Locale.ROOT, "      %-13s ln M %7.3f", "rule-out", t.path("ruleOutLogM").asDouble()));
                        say(String.format(Locale.ROOT, "      %-13s ln M %7.3f", "within", t.path("withinLogM").asDouble()));
                    }
                }
            }
        } else {
            say("  reason:   " + v.path("reason").asText());
            for (JsonNode m : v.path("metrics")) {
                say(String.format("  %-20s %-8s %s", m.path("name").asText(), m.path("classification").asText(),
                        m.path("explanation").asText()));
            }
        }
        say("  see:      curl -s " + base + "/api/v1/analyses/" + v.path("analysisId").asText() + " | jq");
    }

    /** counts, ranks or quantile p99. */
    private static String label(JsonNode metric, JsonNode test) {
        String type = test.path("type").asText();
        if (type.equals("ranks-rule-out") || type.equals("ranks-within")) {
            return type.substring("ranks-".length());
        }
        return type.startsWith("quantile") ? "quantile " + test.path("test").asText()
                .substring(metric.path("name").asText().length()).strip() : type;
    }

    /** The test's estimate: the rate ratio with its confidence sequence, P(canary > stable), or both quantiles. */
    private static String estimate(JsonNode t) {
        if (t.has("rateRatio")) {
            JsonNode r = t.path("rateRatio");
            return String.format(Locale.ROOT, "rate ratio %s, one-sided %.0f %% bounds [%s, %s] (%d vs %d errors)",
                    num(r.path("estimate")),
                    100 * r.path("confidenceLevel").asDouble(), num(r.path("lower")),
                    r.path("upper").isNumber() ? num(r.path("upper")) : "∞",
                    t.path("canaryErrors").asLong(), t.path("stableErrors").asLong());
        }
        if (t.has("shareRatio")) {
            return t.path("tailThreshold").isNumber() ? "requests above " + num(t.path("tailThreshold")) + ": "
                    + t.path("canaryAbove").asLong() + " canary vs " + t.path("stableAbove").asLong() + " stable, share ratio "
                    + num(t.path("shareRatio").path("estimate")) : "threshold set from the first interval";
        }
        if (t.has("auc")) {
            return "P(canary > stable) " + num(t.path("auc")) + (t.has("shift") ? ", level ×" + num(t.path("shift"))
                    : "") + (t.path("canaryDividedBy").asDouble(1) != 1 ? ", canary ÷ " + num(t.path("canaryDividedBy"))
                    : "");
        }
        if (t.has("worse")) {
            return "canary ÷ " + num(t.path("canaryDividedBy")) + " worse at " + t.path("worse").asInt() + " of "
                    + (t.path("worse").asInt() + t.path("better").asInt()) + " paired points"
                    + (t.has("shift") ? ", level ×" + num(t.path("shift")) : "");
        }
        if (t.has("canaryQuantile")) {
            return "canary " + num(t.path("canaryQuantile")) + " vs stable " + num(t.path("stableQuantile"));
        }
        return "";
    }

    private static String num(JsonNode n) {
        if (!n.isNumber()) {
            return n.isNull() || n.isMissingNode() ? "–" : n.asText();
        }
        return String.format(Locale.ROOT, "%.3g", n.asDouble());
    }

    private static EmbeddedKafka startKafka(Path work) {
        say("starting a KRaft Kafka broker");
        return EmbeddedKafka.start(work.resolve("kafka"));
    }

    private static Process startService(Path work, int port, String bootstrap, String prometheus) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run ./mvnw package -DskipTests first");
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        env.put("CANARY_AUTH_MODE", "open"); // a local demo: no API keys (the service says so in its log)
        env.put("PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("CANARY_PROMETHEUS_URL", prometheus);
        env.put("CANARY_DB_URL", "jdbc:h2:file:" + work.toAbsolutePath().resolve("db/canary-judge")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        pb.redirectErrorStream(true).redirectOutput(work.resolve("service.log").toFile());
        return pb.start();
    }

    private static void awaitReady(Process service, String base, Path work) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited; see " + work.resolve("service.log") + ":\n"
                        + Files.readString(work.resolve("service.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    say("service ready (Kafka, database and Prometheus UP)");
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("service not ready within 90 s; see " + work.resolve("service.log"));
    }

    private static int freePort(int preferred) throws IOException {
        try (ServerSocket s = new ServerSocket(preferred)) {
            return preferred;
        } catch (IOException taken) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
