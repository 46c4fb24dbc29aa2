package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.PrometheusServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 8's "last measurement → verdict on Kafka → rollback applied" figure, on real parts: the packaged service
 * as its own process, a KRaft broker, a Prometheus backfilled with the demo workload (its checkout canary is
 * visibly worse), and the Fabric8 mock API server (CRUD) holding one Deployment per analysis. N deployment events
 * are produced at a set rate; every analysis ABORTs and rolls its Deployment back to the stable digest.
 *
 * <p>Per analysis, from the service's own records (REST): last measurement taken → verdict stored → rollback
 * applied, plus when this driver saw the verdict and the CDEvents {@code service.rolledback} record on Kafka. The
 * baseline, measured in the same run on the same broker and API server: a produce(acks=all)→consume round trip
 * followed by the reads and the patch a Deployment rollback does (GET Deployment, list ReplicaSets, PATCH).
 *
 * <p>Run with {@code bash load-test/rollback-latency.sh [analyses=200] [events-per-second=10]}.
 */
public final class RollbackLatency {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Path work = Files.createTempDirectory("rollback-latency");
        Instant startedAt = DemoScenario.startedAt(Instant.now());
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient k8s = api.createClient();
        Cluster cluster = new Cluster(k8s);
        for (int i = 0; i < n; i++) {
            cluster.deployment("checkout-" + i, Cluster.image(Cluster.STABLE), Cluster.image(Cluster.CANARY));
        }
        say("mock API server " + k8s.getMasterUrl() + " with " + n + " Deployments at the canary digest");
        try (PrometheusServer prometheus = PrometheusServer.start(work.resolve("prometheus"),
                DemoScenario.workload(startedAt).openMetrics());
             EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            say("Prometheus " + prometheus.url() + " (backfilled), Kafka " + kafka.bootstrapServers());
            int port = freePort();
            String base = "http://127.0.0.1:" + port;
            Process service = startService(work, port, kafka.bootstrapServers(), prometheus.url(),
                    k8s.getMasterUrl().toString());
            try (KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
                awaitReady(service, base, work);
                say("service ready on " + base + "; measuring the baseline");
                Baseline baseline = baseline(kafka.bootstrapServers(), k8s, cluster, Math.min(n, 200));
                Map<String, Long> verdictSeen = new ConcurrentHashMap<>();
                Map<String, Long> rolledBackSeen = new ConcurrentHashMap<>();
                Thread listener = listen(kafka.bootstrapServers(), n, verdictSeen, rolledBackSeen);
                List<String> ids = new ArrayList<>();
                long gapNanos = (long) (1e9 / rate);
                long next = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    String id = "latency-" + i + "-" + System.nanoTime();
                    ids.add(id);
                    // one service (and Deployment) per analysis: a newer canary of the same service would supersede
                    // the running analysis; the cohort labels still select the demo's worse checkout canary
                    String event = DemoScenario.event(id, DemoScenario.BAD_SERVICE, startedAt)
                            .replace("\"name\":\"" + DemoScenario.BAD_SERVICE + "\"", "\"name\":\"checkout-" + i + "\"")
                            .replaceFirst("\"service\":\"" + DemoScenario.BAD_SERVICE + "\",\\s*\n",
                                    "\"service\":\"checkout-" + i + "\",\n");
                    client.send("deployments", "shop/checkout-" + i, event);
                    next += gapNanos;
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                }
                say("produced " + n + " events at " + rate + "/s; waiting for " + n + " verdicts and rollbacks");
                listener.join(TimeUnit.MINUTES.toMillis(5));
                report(n, ids, base, verdictSeen, rolledBackSeen, baseline, cluster);
            } finally {
                service.destroy();
                if (!service.waitFor(20, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        } finally {
            k8s.close();
            api.destroy();
        }
        System.exit(0);
    }

    /** Per-analysis figures, in milliseconds, from the service's records and this driver's clock (same host). */
    private static void report(int n, List<String> eventIds, String base, Map<String, Long> verdictSeen,
                               Map<String, Long> rolledBackSeen, Baseline baseline, Cluster cluster) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<Double> toVerdict = new ArrayList<>();
        List<Double> toApplied = new ArrayList<>();
        List<Double> toEventSeen = new ArrayList<>();
        List<Double> toVerdictSeen = new ArrayList<>();
        int applied = 0;
        int restored = 0;
        for (int i = 0; i < eventIds.size(); i++) {
            String analysisId = analysisId(http, base, "checkout-" + i, eventIds.get(i));
            if (analysisId == null) {
                continue;
            }
            JsonNode a = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/analyses/" + analysisId))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            JsonNode ms = a.path("measurements");
            if (ms.isEmpty()) {
                continue;   // not judged (superseded or still running): counted as missing below
            }
            Instant last = Instant.parse(ms.get(ms.size() - 1).path("takenAt").asText());
            JsonNode rb = a.path("rollback");
            if ("APPLIED".equals(rb.path("state").asText())) {
                applied++;
                Instant verdictAt = Instant.parse(rb.path("verdictAt").asText());
                Instant finishedAt = Instant.parse(rb.path("finishedAt").asText());
                toVerdict.add(millis(last, verdictAt));
                toApplied.add(millis(last, finishedAt));
                Long seen = rolledBackSeen.get(analysisId);
                if (seen != null) {
                    toEventSeen.add((double) (seen - last.toEpochMilli()));
                }
                Long verdictRead = verdictSeen.get(analysisId);
                if (verdictRead != null) {
                    toVerdictSeen.add((double) (verdictRead - last.toEpochMilli()));
                }
            }
            if (Cluster.image(Cluster.STABLE).equals(cluster.deploymentImage("checkout-" + i))) {
                restored++;
            }
        }
        say("");
        say("== last measurement -> verdict on Kafka -> rollback applied: " + n + " analyses ==");
        say(String.format("verdicts seen on Kafka %d, rollbacks APPLIED %d, Deployments back at the stable digest %d, "
                + "rolledback events seen %d", verdictSeen.size(), applied, restored, rolledBackSeen.size()));
        row("last measurement -> verdict stored", toVerdict);
        row("last measurement -> verdict read from Kafka", toVerdictSeen);
        row("last measurement -> rollback applied", toApplied);
        row("last measurement -> rolledback event read", toEventSeen);
        row("baseline: Kafka round trip + GET/list/PATCH", baseline.total());
        double p99 = percentile(toApplied, 0.99);
        say(String.format("p99 last measurement -> rollback applied = %.1f ms (goal <= 1000 ms); "
                + "ratio to the baseline p99 = %.2f", p99, p99 / percentile(baseline.total(), 0.99)));
    }

    private static double millis(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e6;
    }

    private static String analysisId(HttpClient http, String base, String service, String eventId) throws Exception {
        // the analysis id is in the verdict; the history API has no event-id filter, so scan the service's list
        String cursor = null;
        do {
            String url = base + "/api/v1/analyses?service=" + service + "&limit=500" + (cursor == null ? "" : "&cursor=" + cursor);
            JsonNode page = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode item : page.path("items")) {
                if (eventId.equals(item.path("eventId").asText())) {
                    return item.path("id").asText();
                }
            }
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        return null;
    }

    /** Reads canary-verdicts from the end, noting when each verdict and each rolledback record arrived. */
    private static Thread listen(String bootstrap, int n, Map<String, Long> verdicts, Map<String, Long> rolledBack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of("canary-verdicts"));
        Thread t = new Thread(() -> {
            try (consumer) {
                while (verdicts.size() < n || rolledBack.size() < n) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        String id = KafkaTestClient.header(r, "ce_id");
                        if (id != null && id.startsWith("rollback-")) {
                            rolledBack.putIfAbsent(id.substring("rollback-".length()), now);
                        } else if (r.value() != null && r.value().contains("\"verdict\"")) {
                            verdicts.putIfAbsent(JSON.readTree(r.value()).path("analysisId").asText(), now);
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "latency-listener");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The floor of the same path: one acks=all produce read back by a consumer, then a rollback's API calls. */
    private static Baseline baseline(String bootstrap, KubernetesClient k8s, Cluster cluster, int rounds) {
        for (int i = 0; i < rounds; i++) {
            cluster.deployment("baseline-" + i, Cluster.image(Cluster.STABLE), Cluster.image(Cluster.CANARY));
        }
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "baseline-" + System.nanoTime());
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        String topic = "latency-baseline";
        String payload = "x".repeat(4096);
        List<Double> total = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            producer.send(new ProducerRecord<>(topic, "warm", payload)).get();
            // assigned, not subscribed (no group rebalance), and the end offsets resolved before the first send
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, "k" + i, payload)).get();
                boolean got = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!got) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("baseline record " + i + " not read back within 10 s");
                    }
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                        got |= r.key().equals("k" + i);
                    }
                }
                String name = "baseline-" + i;
                Deployment d = k8s.apps().deployments().inNamespace(Cluster.NS).withName(name).get();
                k8s.apps().replicaSets().inNamespace(Cluster.NS).withLabel("app", name).list();
                k8s.apps().deployments().inNamespace(Cluster.NS).withName(name).edit(x -> {
                    x.getSpec().getTemplate().getSpec().getContainers().get(1).setImage(Cluster.image(Cluster.STABLE));
                    return x;
                });
                total.add((System.nanoTime() - t0) / 1e6);
                if (d == null) {
                    throw new IllegalStateException("baseline deployment missing");
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("baseline failed", e);
        }
        return new Baseline(total);
    }

    private record Baseline(List<Double> total) {
    }

    private static void row(String label, List<Double> ms) {
        if (ms.isEmpty()) {
            say(String.format("%-46s no data", label));
            return;
        }
        say(String.format("%-46s n=%4d  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms", label, ms.size(),
                percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0)));
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> values, double q) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int rank = (int) Math.ceil(q * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    private static Process startService(Path work, int port, String bootstrap, String prometheus, String apiServer)
            throws IOException {
        Path app = Path.of("target", "quarkus-app").toAbsolutePath();
        if (!Files.exists(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app + "/quarkus-run.jar is missing: run ./mvnw package -DskipTests first");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Files.exists(app.resolve("app-cds.jsa"))) {
            cmd.add("-XX:SharedArchiveFile=app-cds.jsa");
        }
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx512m", "-jar", "quarkus-run.jar"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile());
        Map<String, String> env = pb.environment();
        env.put("CANARY_AUTH_MODE", "open");
        env.put("PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("CANARY_PROMETHEUS_URL", prometheus);
        env.put("CANARY_TEMPLATES_DIR", Path.of("analysis-templates").toAbsolutePath().toString());
        env.put("CANARY_DB_URL", "jdbc:h2:file:" + work.toAbsolutePath().resolve("db/canary-judge")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        env.put("CANARY_ROLLBACK_ENABLED", "true");
        env.put("CANARY_ROLLBACK_NAMESPACES", Cluster.NS);
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", apiServer);
        env.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", Cluster.NS);
        pb.redirectErrorStream(true).redirectOutput(work.resolve("service.log").toFile());
        return pb.start();
    }

    private static void awaitReady(Process service, String base, Path work) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited:\n"
                        + Files.readString(work.resolve("service.log"), StandardCharsets.UTF_8));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("service not ready within 120 s; see " + work.resolve("service.log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
