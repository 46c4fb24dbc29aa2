package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.testing.EmbeddedKafka;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.PrometheusServer;
import io.canaryjudge.testing.ServiceProcess;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * The decision benchmark end to end: hundreds of services' canary and stable metrics backfilled into a real
 * Prometheus (per pod, per status, histogram buckets, CPU and memory, scraped every 15 s), one "canary started"
 * event per service on a real Kafka broker, the packaged service judging them all with the shipped
 * {@code http-golden-signals} template, and the verdicts read back from {@code canary-verdicts}. Each scenario is
 * as in {@link DecisionSimulation}, plus what only the real path has: per-pod counters with a pod restart, scrape
 * timing, PromQL. Prints one Markdown row per scenario (BENCHMARKS.md, "Decisions end to end").
 *
 * <p>Run: {@code bash load-test/e2e-decisions.sh [servicesPerScenario=25]} (needs prometheus and promtool; the work
 * directory is deleted at the end unless {@code E2E_KEEP=1}).
 */
public final class EndToEndDecisions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SCRAPE = 15;
    private static final String NAMESPACE = "e2e";

    /**
     * One scenario: total requests per second, the canary's share per minute, pods per cohort, the base error rate
     * and the canary's factors, a slow tail, drift shared by both cohorts, Micrometer-fine buckets, and whether
     * one canary pod restarts (its counters reset) four minutes in.
     */
    record Scenario(String name, boolean healthy, double rps, double[] share, double errorRate, double errorFactor,
                    double latencyFactor, double tailShare, double tailFactor, double drift, boolean fine,
                    boolean restart) {
        double shareAt(int minute) {
            return share[Math.max(0, Math.min(minute, share.length - 1))];
        }

        double driftAt(double minute, double period) {
            return 1 + drift * Math.sin(2 * Math.PI * minute / period);
        }
    }

    static List<Scenario> scenarios() {
        double[] even = {0.5};
        double[] ramp = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5};
        return List.of(
            new Scenario("A/A, 40 req/s, a canary pod restarts at minute 4", true, 40, even, 0.01, 1, 1, 0, 1, 0,
                false, true),
            new Scenario("A/A, Argo ramp 5→50 % + shared drift ±30 %, Micrometer buckets", true, 40, ramp, 0.01, 1, 1,
                0, 1, 0.3, true, false),
            new Scenario("A/A, 600 req/s", true, 600, even, 0.01, 1, 1, 0, 1, 0, false, false),
            new Scenario("within tolerance at 600 req/s: latency +2 %, errors +5 %", true, 600, even, 0.01, 1.05, 1.02,
                0, 1, 0, false, false),
            new Scenario("errors ×2, 40 req/s", false, 40, even, 0.01, 2, 1, 0, 1, 0, false, false),
            new Scenario("errors ×3, 4 req/s (low traffic)", false, 4, even, 0.01, 3, 1, 0, 1, 0, false, false),
            new Scenario("errors ×2, 4 req/s (low traffic)", false, 4, even, 0.01, 2, 1, 0, 1, 0, false, false),
            new Scenario("latency +30 %, 40 req/s", false, 40, even, 0.01, 1, 1.3, 0, 1, 0, false, false),
            new Scenario("slow tail: 5 % of canary requests ×5, 40 req/s", false, 40, even, 0.01, 1, 1, 0.05, 5, 0,
                true, false));
    }

    public static void main(String[] args) throws Exception {
        int perScenario = args.length > 0 ? Integer.parseInt(args[0]) : 25;
        Path dir = Files.createTempDirectory("e2e-decisions");
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(6));
        List<Scenario> scenarios = scenarios();
        Map<String, Scenario> byService = new LinkedHashMap<>();
        for (int k = 0; k < scenarios.size(); k++) {
            for (int r = 0; r < perScenario; r++) {
                byService.put("s" + k + "-" + r, scenarios.get(k));
            }
        }
        long t0 = System.nanoTime();
        Path om = dir.resolve("backfill.om");
        write(om, byService, startedAt);
        System.out.printf(Locale.ROOT, "backfilled %d services (%d MB of OpenMetrics) in %.0f s%n", byService.size(),
            Files.size(om) >> 20, (System.nanoTime() - t0) / 1e9);
        try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), om);
             EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"));
             KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            Files.deleteIfExists(om);
            Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "CANARY_PROMETHEUS_URL", prometheus.url(), "CANARY_TEMPLATES_DIR", "analysis-templates",
                "CANARY_DB_URL", "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + "/canary");
            try (ServiceProcess service = ServiceProcess.start(dir.resolve("service.log"), env)) {
                long t1 = System.nanoTime();
                Map<String, String> events = new LinkedHashMap<>();
                for (String svc : byService.keySet()) {
                    String id = "e2e-" + svc;
                    events.put(id, svc);
                    client.send("deployments", NAMESPACE + "/" + svc, event(id, svc, startedAt));
                }
                Map<String, JsonNode> verdicts = collect(client, events.keySet(), Duration.ofMinutes(20));
                System.out.printf(Locale.ROOT, "%d of %d verdicts in %.0f s (service log %s)%n%n",
                    verdicts.size(), events.size(), (System.nanoTime() - t1) / 1e9, dir.resolve("service.log"));
                HttpClient http = HttpClient.newHttpClient();
                Map<Scenario, List<DecisionSimulation.End>> ends = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : events.entrySet()) {
                    JsonNode v = verdicts.get(e.getKey());
                    int intervals = v == null ? -1 : measurements(http, service.url(), v.path("analysisId").asText());
                    ends.computeIfAbsent(byService.get(e.getValue()), k -> new ArrayList<>())
                        .add(new DecisionSimulation.End(v == null ? null : Verdict.valueOf(v.path("verdict").asText()),
                            intervals));
                }
                System.out.println("| scenario | services | ABORT | PROMOTE | INCONCLUSIVE | minutes to ABORT, median "
                    + "(IQR) | minutes to PROMOTE, median |");
                System.out.println("|---|---|---|---|---|---|---|");
                for (Map.Entry<Scenario, List<DecisionSimulation.End>> e : ends.entrySet()) {
                    System.out.println(row(e.getKey(), e.getValue()));
                }
            }
        } finally {
            if (!"1".equals(System.getenv("E2E_KEEP"))) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The verdict event per event id, read from canary-verdicts until every event has one or the time is up. */
    private static Map<String, JsonNode> collect(KafkaTestClient client, java.util.Set<String> ids, Duration timeout)
        throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && out.size() < ids.size()) {
            for (var r : client.readAll("canary-verdicts", Duration.ofSeconds(2))) {
                JsonNode v = JSON.readTree(r.value());
                if (ids.contains(v.path("eventId").asText())) {
                    out.put(v.path("eventId").asText(), v);
                }
            }
        }
        return out;
    }

    /** Measurements stored for an analysis: the minutes it ran. */
    private static int measurements(HttpClient http, String base, String analysisId) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/analyses/"
            + java.net.URLEncoder.encode(analysisId, java.nio.charset.StandardCharsets.UTF_8))).build(),
            HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("measurements").size();
    }

    static String row(Scenario s, List<DecisionSimulation.End> ends) {
        int n = ends.size();
        long aborts = ends.stream().filter(e -> e.verdict() == Verdict.ABORT).count();
        long promotes = ends.stream().filter(e -> e.verdict() == Verdict.PROMOTE).count();
        long inconclusive = ends.stream().filter(e -> e.verdict() == Verdict.INCONCLUSIVE).count();
        long missing = n - aborts - promotes - inconclusive;
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%s", s.name(), n,
            DecisionSimulation.rate(aborts, n), DecisionSimulation.rate(promotes, n),
            DecisionSimulation.rate(inconclusive, n), quartiles(ends, Verdict.ABORT), quartiles(ends, Verdict.PROMOTE),
            missing > 0 ? " (" + missing + " without a verdict)" : "");
    }

    private static String quartiles(List<DecisionSimulation.End> ends, Verdict v) {
        int[] m = ends.stream().filter(e -> e.verdict() == v && e.intervals() > 0)
            .mapToInt(DecisionSimulation.End::intervals).sorted().toArray();
        return m.length == 0 ? "–" : m[m.length / 2] + " (" + m[m.length / 4] + "–" + m[(3 * m.length) / 4] + ")";
    }

    static String event(String id, String service, Instant startedAt) {
        return io.canaryjudge.testing.DemoScenario.event(id, NAMESPACE, service, startedAt);
    }

    // ---- the backfill: per service, cohort and pod, cumulative counters sampled every 15 s ----

    /** Five minutes before the start to maxCount (20 min) plus two minutes after. */
    static void write(Path out, Map<String, Scenario> services, Instant startedAt) throws IOException {
        long from = startedAt.getEpochSecond() - 5 * 60;
        int ticks = (27 * 60) / SCRAPE + 1;
        Path[] parts = new Path[4];
        BufferedWriter[] w = new BufferedWriter[4];
        String[] families = {"http_server_requests_seconds_bucket", "http_server_requests_seconds_count",
            "container_cpu_usage_seconds_total", "container_memory_working_set_bytes"};
        for (int i = 0; i < 4; i++) {
            parts[i] = out.resolveSibling(out.getFileName() + "." + i);
            w[i] = Files.newBufferedWriter(parts[i]);
            w[i].write("# TYPE " + families[i] + (i == 3 ? " gauge" : " unknown") + "\n");
        }
        int index = 0;
        for (Map.Entry<String, Scenario> e : services.entrySet()) {
            series(w, e.getKey(), e.getValue(), from, ticks, new Well19937c(1_000_003L * ++index));
        }
        for (BufferedWriter b : w) {
            b.close();
        }
        try (var o = Files.newOutputStream(out)) {
            for (Path p : parts) {
                Files.copy(p, o);
                Files.delete(p);
            }
            o.write("# EOF\n".getBytes());
        }
    }

    private static final double[] COARSE = DecisionSimulation.COARSE;

    private static void series(BufferedWriter[] w, String service, Scenario s, long from, int ticks,
                               RandomGenerator rng) throws IOException {
        double[] bounds = s.fine() ? DecisionSimulation.FINE : COARSE;
        int pods = 2;
        for (String track : new String[] {"canary", "stable"}) {
            boolean canary = track.equals("canary");
            // per pod: cumulative bucket counts (+Inf last), 200/500 counts, CPU seconds; memory is a gauge
            long[][][] buckets = new long[pods][ticks][bounds.length + 1];
            long[][][] counts = new long[pods][ticks][2];
            double[][] cpu = new double[pods][ticks];
            double[][] memory = new double[pods][ticks];
            for (int p = 0; p < pods; p++) {
                long[] bAcc = new long[bounds.length + 1];
                long[] cAcc = new long[2];
                double cpuAcc = 0;
                for (int t = 0; t < ticks; t++) {
                    double minute = (t * SCRAPE - 5 * 60) / 60.0;
                    if (canary && s.restart() && p == 0 && t * SCRAPE == 9 * 60) {
                        Arrays.fill(bAcc, 0); // the container restarted: its counters start again from 0
                        Arrays.fill(cAcc, 0);
                        cpuAcc = 0;
                    }
                    if (t > 0) {
                        double q = s.shareAt((int) Math.floor(minute));
                        double rps = s.rps() * s.driftAt(minute, 10) * (canary ? q : 1 - q) / pods;
                        long n = poisson(rng, rps * SCRAPE);
                        double pErr = s.errorRate() * s.driftAt(minute, 7) * (canary ? s.errorFactor() : 1);
                        long errors = n == 0 ? 0 : new BinomialDistribution(rng, (int) n, Math.min(1, pErr)).sample();
                        cAcc[0] += n - errors;
                        cAcc[1] += errors;
                        double median = 0.1 * s.driftAt(minute, 9) * (canary ? s.latencyFactor() : 1);
                        for (long i = 0; i < n; i++) {
                            double v = median * Math.exp(0.5 * rng.nextGaussian());
                            if (canary && s.tailShare() > 0 && rng.nextDouble() < s.tailShare()) {
                                v *= s.tailFactor();
                            }
                            int b = Arrays.binarySearch(bounds, v);
                            bAcc[b >= 0 ? b : -b - 1]++;
                        }
                        cpuAcc += 0.02 * SCRAPE + n * 0.008 * (0.9 + 0.2 * rng.nextDouble());
                    }
                    long running = 0;
                    for (int b = 0; b <= bounds.length; b++) {
                        running += bAcc[b];
                        buckets[p][t][b] = running;
                    }
                    counts[p][t][0] = cAcc[0];
                    counts[p][t][1] = cAcc[1];
                    cpu[p][t] = Math.round(cpuAcc * 1000) / 1000.0;
                    memory[p][t] = 2e8 * (1 + 0.02 * rng.nextGaussian());
                }
            }
            for (int p = 0; p < pods; p++) {
                String labels = "namespace=\"" + NAMESPACE + "\",service=\"" + service + "\",track=\"" + track
                    + "\",pod=\"" + service + "-" + track + "-" + p + "\"";
                for (int b = 0; b <= bounds.length; b++) {
                    String le = b == bounds.length ? "+Inf" : Double.toString(bounds[b]);
                    for (int t = 0; t < ticks; t++) {
                        line(w[0], "http_server_requests_seconds_bucket", labels + ",le=\"" + le + "\"",
                            buckets[p][t][b], from + (long) t * SCRAPE);
                    }
                }
                for (int st = 0; st < 2; st++) {
                    for (int t = 0; t < ticks; t++) {
                        line(w[1], "http_server_requests_seconds_count", labels + ",status=\"" + (st == 0 ? "200"
                            : "500") + "\"", counts[p][t][st], from + (long) t * SCRAPE);
                    }
                }
                for (int t = 0; t < ticks; t++) {
                    line(w[2], "container_cpu_usage_seconds_total", labels + ",container=\"app\"", cpu[p][t],
                        from + (long) t * SCRAPE);
                }
                for (int t = 0; t < ticks; t++) {
                    line(w[3], "container_memory_working_set_bytes", labels + ",container=\"app\"",
                        Math.rint(memory[p][t]), from + (long) t * SCRAPE);
                }
            }
        }
    }

    private static void line(BufferedWriter w, String name, String labels, double value, long ts) throws IOException {
        w.write(name);
        w.write('{');
        w.write(labels);
        w.write("} ");
        w.write(value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value));
        w.write(' ');
        w.write(Long.toString(ts));
        w.write('\n');
    }

    private static long poisson(RandomGenerator rng, double mean) {
        return mean <= 0 ? 0 : new PoissonDistribution(rng, mean, 1e-12, 10_000).sample();
    }
}
