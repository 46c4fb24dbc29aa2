package io.canaryjudge.load.scale;

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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The "10,000 in-flight analyses" run (issue 8): on loopback it starts a Kafka broker (in this JVM), a synthetic
 * exporter of N services × 2 cohorts × 3 series, a real Prometheus scraping it in shards, and the packaged service
 * with -Xmx512m; measures Prometheus's own maximum rate for the service's queries with a plain HTTP client; publishes
 * N deployment events at a set rate; samples the service's /q/metrics while the analyses run; prints a report.
 * Everything it starts is stopped at the end. Parameters: environment variables, see {@link #env} calls and
 * load-test/scale.sh.
 */
public final class ScaleRun {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<Process> PROCESSES = new ArrayList<>();

    private ScaleRun() {
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public static void main(String[] args) throws Exception {
        int rc = 1;
        try {
            run();
            rc = 0;
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            stopProcesses();
        }
        System.exit(rc); // the broker's and clients' threads would keep the JVM alive
    }

    private static void run() throws Exception {
        Locale.setDefault(Locale.ROOT);
        int n = Integer.parseInt(env("SCALE_N", "10000"));
        Duration interval = Duration.ofSeconds(Long.parseLong(env("SCALE_INTERVAL_SECONDS", "30")));
        Duration step = interval.dividedBy(2);
        int measureIntervals = Integer.parseInt(env("SCALE_INTERVALS", "4"));
        double publishRate = Double.parseDouble(env("SCALE_PUBLISH_RATE", "2500"));
        int shards = Integer.parseInt(env("SCALE_SHARDS", Integer.toString(Math.max(1, (n + 999) / 1000))));
        Duration scrape = Duration.ofSeconds(Long.parseLong(env("SCALE_SCRAPE_SECONDS", "15")));
        int maxConcurrency = Integer.parseInt(env("SCALE_BASELINE_MAX_CONCURRENCY", "64"));
        Duration perLevel = Duration.ofSeconds(Long.parseLong(env("SCALE_BASELINE_SECONDS", "5")));
        Path root = Path.of(System.getProperty("SCALE_ROOT", env("SCALE_ROOT", "."))).toAbsolutePath().normalize();
        Path jar = root.resolve("target/quarkus-app/quarkus-run.jar");
        Path work = Files.createTempDirectory("canary-scale-");
        String heap = env("SCALE_SERVICE_XMX", "512m");
        // the JVM flags deploy/base sets through JAVA_TOOL_OPTIONS (README "Running it"); "" for the JVM's defaults (G1)
        String javaOpts = env("SCALE_JAVA_OPTS", "-XX:+UseSerialGC -Xms32m");
        boolean jfr = !env("SCALE_JFR", "0").equals("0");
        Runtime.getRuntime().addShutdownHook(new Thread(ScaleRun::stopProcesses));
        System.out.printf("scale run: N=%d analyses, interval %ds, step %ds, %d measured intervals, publish %.0f/s, "
                + "%d scrape targets every %ds; service JVM -Xmx%s %s; work dir %s%n", n, interval.toSeconds(),
                step.toSeconds(), measureIntervals, publishRate, shards, scrape.toSeconds(), heap, javaOpts, work);
        if (!Files.exists(jar)) {
            throw new IllegalStateException("no " + jar + ": run ./mvnw -B package -DskipTests in the service root first");
        }

        // --- the template, with this run's interval ---
        String templateText = Files.readString(root.resolve("load-test/templates/scale-3-metrics.yaml"))
                .replaceFirst("(?m)^interval: .*$", "interval: " + interval.toSeconds() + "s")
                .replaceFirst("(?m)^step: .*$", "step: " + step.toSeconds() + "s");
        Path templates = Files.createDirectories(work.resolve("templates"));
        Files.writeString(templates.resolve("scale-3-metrics.yaml"), templateText);
        List<String> queries = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\s+query: (.*)$").matcher(templateText);
        while (m.find()) {
            queries.add(m.group(1).trim());
        }

        try (SyntheticExporter exporter = new SyntheticExporter(n, shards);
             Broker kafka = new Broker(work.resolve("kafka"))) {
            // --- Prometheus scraping the exporter in shards ---
            int promPort = freePort();
            StringBuilder cfg = new StringBuilder("global:\n  scrape_interval: " + scrape.toSeconds() + "s\n  scrape_timeout: "
                    + Math.min(10, scrape.toSeconds()) + "s\nscrape_configs:\n");
            for (int s = 0; s < shards; s++) {
                cfg.append("  - job_name: scale-").append(s).append("\n    metrics_path: /metrics/").append(s)
                        .append("\n    static_configs:\n      - targets: ['127.0.0.1:").append(exporter.port()).append("']\n");
            }
            Files.writeString(work.resolve("prometheus.yml"), cfg);
            Process prometheus = start(new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()));
            String promUrl = "http://127.0.0.1:" + promPort;
            waitFor(promUrl + "/-/ready", Duration.ofSeconds(30));

            // --- the service ---
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of("java", "-Xmx" + heap));
            for (String opt : javaOpts.trim().split("\\s+")) {
                if (!opt.isEmpty()) {
                    cmd.add(opt);
                }
            }
            if (jfr) {
                cmd.add("-XX:StartFlightRecording=filename=" + work.resolve("service.jfr") + ",settings=profile,dumponexit=true");
            }
            cmd.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("service.log").toFile());
            pb.environment().put("PORT", Integer.toString(port));
            pb.environment().put("CANARY_AUTH_MODE", "open");
            pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            pb.environment().put("CANARY_PROMETHEUS_URL", promUrl);
            pb.environment().put("CANARY_TEMPLATES_DIR", templates.toString());
            long t0 = System.nanoTime();
            Process service = start(pb);
            String base = "http://127.0.0.1:" + port;
            waitFor(base + "/q/health/ready", Duration.ofSeconds(120));
            System.out.printf("service ready in %.1f s (pid %d)%n", (System.nanoTime() - t0) / 1e9, service.pid());

            // --- every step of the baseline's and the analyses' windows needs two samples within rate()'s 1m ---
            long scrapedBy = System.nanoTime() + scrape.multipliedBy(3).plusSeconds(3).toNanos();
            while (System.nanoTime() < scrapedBy) {
                Thread.sleep(500);
            }
            String up = get(promUrl + "/api/v1/query?query=count(up%3D%3D1)");
            System.out.println("Prometheus targets up: " + up.replaceAll(".*\"value\":\\[[^,]*,\"([^\"]*)\".*", "$1") + "/"
                    + shards);

            // --- baseline: Prometheus's own maximum rate for the same queries ---
            System.out.println("baseline: plain HTTP client, the service's query_range requests, concurrency sweep");
            List<QueryLoad.Level> levels = new QueryLoad(promUrl, prometheus.pid(), queries, n, interval, step, false)
                    .sweep(maxConcurrency, perLevel);
            QueryLoad.Level best = levels.stream().max(Comparator.comparingDouble(QueryLoad.Level::perSecond)).orElseThrow();
            System.out.println("baseline 2: the same with the client configured as the service's (Apache HttpClient 5 classic, pooled)");
            QueryLoad.Level bestAsService = new QueryLoad(promUrl, prometheus.pid(), queries, n, interval, step, true)
                    .sweep(maxConcurrency, perLevel).stream().max(Comparator.comparingDouble(QueryLoad.Level::perSecond))
                    .orElseThrow();

            // --- publish N deployment events at the set rate ---
            String run = Long.toString(System.currentTimeMillis(), 36);
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("key.serializer", StringSerializer.class.getName());
            p.put("value.serializer", StringSerializer.class.getName());
            p.put("linger.ms", "5");
            ServiceMetrics beforePublish = sample(base);
            long cpuServiceBefore = cpuTicks(service.pid());
            long cpuPromBefore = cpuTicks(prometheus.pid());
            long cpuSelfBefore = cpuTicks(ProcessHandle.current().pid());
            Instant firstStart;
            Instant lastStart;
            long pubStart = System.nanoTime();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                firstStart = Instant.now();
                Instant last = firstStart;
                for (int i = 0; i < n; i++) {
                    long due = pubStart + (long) (i * 1e9 / publishRate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    last = Instant.now();
                    producer.send(new ProducerRecord<>("deployments", "scale/" + SyntheticExporter.service(i),
                            event(run, i, last)));
                }
                producer.flush();
                lastStart = last;
            }
            double pubSeconds = (System.nanoTime() - pubStart) / 1e9;
            System.out.printf("published %d events in %.1f s (%.0f/s)%n", n, pubSeconds, n / pubSeconds);

            // --- sample while the analyses run: from publication to the end of the measured intervals ---
            Instant firstDue = firstStart.plus(interval);
            Instant end = firstDue.plus(interval.multipliedBy(measureIntervals));
            List<ServiceMetrics> samples = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            List<long[]> cpu = new ArrayList<>(); // per sample: machine busy, machine total, service ticks
            List<Map<String, Long>> threads = new ArrayList<>(); // per sample: the service's CPU ticks by thread group
            Double intakeSeconds = null;
            while (Instant.now().isBefore(end)) {
                ServiceMetrics s = sample(base);
                samples.add(s);
                rss.add(rssKb(service.pid()));
                cpu.add(cpuSample(service.pid()));
                threads.add(threadTicks(service.pid()));
                if (intakeSeconds == null && s.accepted() - beforePublish.accepted() >= n) {
                    intakeSeconds = (s.atNanos() - pubStart) / 1e9;
                }
                System.out.printf("  t=%5.1fs in-flight %5.0f  queries %8.0f  measurements %7.0f  queued %5.0f  heap %4.0f MB  "
                                + "lateness max(2m) %5.2f s%n", (s.atNanos() - pubStart) / 1e9, s.inFlight(), s.queries(),
                        s.measurements(), s.queued(), s.heapUsed() / 1048576, s.latenessMax());
                Thread.sleep(2000);
            }
            ServiceMetrics last = sample(base);
            samples.add(last);
            cpu.add(cpuSample(service.pid()));
            threads.add(threadTicks(service.pid()));
            long cpuService = cpuTicks(service.pid()) - cpuServiceBefore;
            long cpuProm = cpuTicks(prometheus.pid()) - cpuPromBefore;
            long cpuSelf = cpuTicks(ProcessHandle.current().pid()) - cpuSelfBefore;
            double elapsed = (last.atNanos() - pubStart) / 1e9;
            String heapInfo = jcmd(service.pid(), "GC.heap_info");

            // --- report ---
            double required = n * 6.0 / interval.toSeconds();
            ServiceMetrics steadyFrom = null;
            for (ServiceMetrics s : samples) {
                if (steadyFrom == null && s.atNanos() - pubStart >= Duration.between(firstStart, firstDue).toNanos()) {
                    steadyFrom = s;
                }
            }
            double meanRate = (last.queries() - steadyFrom.queries()) / ((last.atNanos() - steadyFrom.atNanos()) / 1e9);
            double peak = 0;
            double peakBusy = 0; // share of the machine's CPU time busy (all processes) in the peak window
            double peakServiceMs = 0; // service CPU per query in the peak window
            for (int i = 0; i < samples.size(); i++) {
                for (int j = i + 1; j < samples.size(); j++) {
                    double dt = (samples.get(j).atNanos() - samples.get(i).atNanos()) / 1e9;
                    if (dt >= 10) {
                        double rate = (samples.get(j).queries() - samples.get(i).queries()) / dt;
                        if (rate > peak) {
                            peak = rate;
                            long[] a = cpu.get(i);
                            long[] b = cpu.get(j);
                            peakBusy = busy(a, b);
                            peakServiceMs = serviceMsPerQuery(a, b, rate * dt);
                        }
                        break;
                    }
                }
            }
            // While measurements queue for a worker the service is the bottleneck: its query rate then is its capacity.
            // Spans of consecutive readings with a queue at both ends (one per burst of due measurements); the 10 s
            // peak above also counts the seconds before the queue forms and after it drains.
            List<String> spans = new ArrayList<>();
            double saturated = 0;
            double saturatedBusy = 0;
            double saturatedServiceMs = 0;
            String saturatedThreads = "";
            for (int i = 0; i + 1 < samples.size(); i++) {
                if (samples.get(i).queued() <= 0) {
                    continue;
                }
                int j = i;
                while (j + 1 < samples.size() && samples.get(j + 1).queued() > 0) {
                    j++;
                }
                double dt = (samples.get(j).atNanos() - samples.get(i).atNanos()) / 1e9;
                if (dt >= 4) {
                    double rate = (samples.get(j).queries() - samples.get(i).queries()) / dt;
                    long[] a = cpu.get(i);
                    long[] b = cpu.get(j);
                    double busy = busy(a, b);
                    double serviceMs = serviceMsPerQuery(a, b, rate * dt);
                    spans.add(String.format("%.0f/s over %.1f s from t=%.0f s (queue max %.0f; machine %.0f %% busy; service "
                            + "%.3f ms/query)", rate, dt, (samples.get(i).atNanos() - pubStart) / 1e9,
                            samples.subList(i, j + 1).stream().mapToDouble(ServiceMetrics::queued).max().orElse(0),
                            100 * busy, serviceMs));
                    if (rate > saturated) {
                        saturated = rate;
                        saturatedBusy = busy;
                        saturatedServiceMs = serviceMs;
                        saturatedThreads = threadShares(threads.get(i), threads.get(j), rate * dt);
                    }
                }
                i = j;
            }
            double maxLate = samples.stream().mapToDouble(ServiceMetrics::latenessMax).max().orElse(0);
            double p99 = last.latenessQuantile(beforePublish, 0.99);
            double p50 = last.latenessQuantile(beforePublish, 0.50);
            double maxHeap = samples.stream().mapToDouble(ServiceMetrics::heapUsed).max().orElse(0) / 1048576;
            long maxRss = rss.stream().mapToLong(Long::longValue).max().orElse(0) / 1024;
            // measurements due at least one interval before the last reading: every one must be stored by then
            long overdueIfMissing = 0;
            long dueByEnd = 0;
            Instant lastAt = Instant.now().minusNanos(System.nanoTime() - last.atNanos());
            for (int i = 0; i < n; i++) {
                Instant started = firstStart.plus(Duration.between(firstStart, lastStart).multipliedBy(i)
                        .dividedBy(Math.max(1, n - 1)));
                overdueIfMissing += Math.min(20, Math.max(0, Duration.between(started, lastAt.minus(interval)).toMillis()
                        / interval.toMillis()));
                dueByEnd += Math.min(20, Math.max(0, Duration.between(started, lastAt).toMillis() / interval.toMillis()));
            }
            double measured = last.measurements() - beforePublish.measurements();
            double ticks = 100.0 * elapsed;
            StringBuilder r = new StringBuilder();
            r.append("\n== 10,000 in-flight analyses: report ==\n");
            r.append(String.format("analyses                       %d (3 metrics x 2 cohorts, interval %ds, mode sequential)%n",
                    n, interval.toSeconds()));
            r.append(String.format("published                      %.1f s at %.0f/s; all stored by the service after %s%n", pubSeconds,
                    n / pubSeconds, intakeSeconds == null ? "(not all within the run)" : String.format("%.1f s", intakeSeconds)));
            r.append(String.format("in flight at the end           %.0f%n", last.inFlight()));
            r.append(String.format("required query rate            %.0f queries/s (N x 6 / interval)%n", required));
            r.append(String.format("service query rate             mean %.0f/s over the measured intervals, peak %.0f/s (10 s), "
                    + "errors %.0f%n", meanRate, peak, last.queryErrors() - beforePublish.queryErrors()));
            r.append(String.format("at the peak                    machine CPU %.0f %% busy (all processes, %d cores); "
                    + "service CPU per query %.3f ms%n", 100 * peakBusy, Runtime.getRuntime().availableProcessors(),
                    peakServiceMs));
            r.append(String.format("while measurements queued      %s%n", spans.isEmpty() ? "never for 4 s or more (the service "
                    + "was not saturated: no capacity figure)" : String.join("\n                               ", spans)));
            r.append(String.format("Prometheus max (baseline)      %.0f/s at concurrency %d (p50 %.2f ms, p99 %.2f ms); CPU per "
                    + "query there: client %.3f ms, Prometheus %.3f ms%n", best.perSecond(), best.concurrency(), best.p50Ms(),
                    best.p99Ms(), 1000 * best.clientCores() / best.perSecond(), 1000 * best.prometheusCores() / best.perSecond()));
            r.append(String.format("Prometheus max, client as the service's  %.0f/s at concurrency %d (p50 %.2f ms, p99 %.2f ms); "
                    + "CPU per query there: client %.3f ms, Prometheus %.3f ms%n", bestAsService.perSecond(),
                    bestAsService.concurrency(), bestAsService.p50Ms(), bestAsService.p99Ms(),
                    1000 * bestAsService.clientCores() / bestAsService.perSecond(),
                    1000 * bestAsService.prometheusCores() / bestAsService.perSecond()));
            r.append(String.format("ratio service peak / max       %.2f against the plain client (goal >= 0.80), %.2f against the "
                    + "client configured as the service's; mean / required %.2f%n",
                    peak / best.perSecond(), peak / bestAsService.perSecond(), meanRate / required));
            if (saturated > 0) {
                r.append(String.format("ratio saturated / max          %.2f against the plain client (goal >= 0.80), %.2f against the "
                        + "client configured as the service's (best span: %.0f/s, machine %.0f %% busy, service %.3f ms/query)%n",
                        saturated / best.perSecond(), saturated / bestAsService.perSecond(), saturated, 100 * saturatedBusy,
                        saturatedServiceMs));
                r.append(String.format("service CPU by thread there     %s%n", saturatedThreads));
            }
            r.append(String.format("measurements                   %.0f stored; %d due by the last reading, %d due at least one "
                    + "interval before it (all of these must be stored: %s)%n", measured, dueByEnd, overdueIfMissing,
                    measured >= overdueIfMissing ? "yes" : "NO, " + (overdueIfMissing - (long) measured) + " missing"));
            r.append(String.format("lateness (due -> stored)       p50 <= %.3f s, p99 <= %.3f s, max %.2f s; interval %d s "
                    + "(goal: max < interval)%n", p50, p99, maxLate, interval.toSeconds()));
            r.append(String.format("heap used (max of samples)     %.0f MB of -Xmx%s (goal < 512 MB), live data after GC max %.0f MB; "
                    + "RSS max %d MB%n", maxHeap, heap, samples.stream().mapToDouble(ServiceMetrics::liveData).max().orElse(0)
                    / 1048576, maxRss));
            double served = last.queries() - beforePublish.queries();
            r.append(String.format("service CPU per query          %.3f ms (all its work: intake, judging, store, HTTP; %.0f queries)%n",
                    1000 * cpuService / 100.0 / served, served));
            r.append(String.format("GC pauses                      %.2f s in %.0f s%n", last.gcPauseSeconds()
                    - beforePublish.gcPauseSeconds(), elapsed));
            r.append(String.format("CPU (cores used, %.0f s)        service %.2f, Prometheus %.2f, driver (Kafka+exporter) %.2f; "
                    + "machine has %d cores, load average %s%n", elapsed, cpuService / ticks, cpuProm / ticks, cpuSelf / ticks,
                    Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim()));
            r.append("GC.heap_info at the end:\n").append(heapInfo.indent(2));
            System.out.println(r);
            Files.writeString(work.resolve("report.txt"), r);
            if (jfr) {
                jcmd(service.pid(), "JFR.dump filename=" + work.resolve("service.jfr"));
                System.out.println("JFR recording: " + work.resolve("service.jfr") + " (top frames: java -cp ... "
                        + JfrTop.class.getName() + " " + work.resolve("service.jfr") + ")");
                JfrTop.print(work.resolve("service.jfr"), 25);
            }
            stopProcesses();
        }
        // the service's store, Prometheus' TSDB and the broker's log are ≈ 0.7 GB a full run: gone unless asked for
        if (env("SCALE_KEEP", "0").equals("0")) {
            for (String dir : List.of("data", "tsdb", "kafka")) {
                deleteTree(work.resolve(dir));
            }
            System.out.println("work dir " + work + ": logs, report and JFR kept; store, TSDB and broker data removed "
                    + "(SCALE_KEEP=1 keeps them)");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String event(String run, int i, Instant startedAt) {
        String svc = SyntheticExporter.service(i);
        return "{\"id\":\"scale-" + run + "-" + i + "\",\"type\":\"canary.started\",\"deploymentId\":\"" + svc + "-" + run
                + "\",\"namespace\":\"scale\",\"service\":\"" + svc + "\",\"template\":\"scale-3-metrics\","
                + "\"canary\":{\"digest\":\"sha256:" + "c".repeat(64) + "\",\"labels\":{\"service\":\"" + svc
                + "\",\"track\":\"canary\"}},\"stable\":{\"digest\":\"sha256:" + "b".repeat(64) + "\",\"labels\":{\"service\":\""
                + svc + "\",\"track\":\"stable\"}},\"target\":{\"kind\":\"Deployment\",\"name\":\"" + svc
                + "\",\"container\":\"app\"},\"startedAt\":\"" + startedAt + "\"}";
    }

    private static ServiceMetrics sample(String base) throws Exception {
        long at = System.nanoTime();
        return ServiceMetrics.parse(get(base + "/q/metrics"), at);
    }

    static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private static void waitFor(String url, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " not ready within " + limit);
    }

    private static Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        synchronized (PROCESSES) {
            PROCESSES.add(p);
        }
        return p;
    }

    /** Stops what this run started, by process handle: the service first (it flushes its JFR), then Prometheus. */
    private static void stopProcesses() {
        synchronized (PROCESSES) {
            for (int i = PROCESSES.size() - 1; i >= 0; i--) {
                Process p = PROCESSES.get(i);
                p.destroy();
                try {
                    if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
            PROCESSES.clear();
        }
    }

    static long cpuTicks(long pid) {
        try {
            return ticksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The process's CPU ticks by thread group: thread names from {@code /proc/<pid>/task/<tid>/stat} (15 characters)
     * with a trailing number dropped ("canary-worker-7" and "canary-worker-12" are one group). Per thread, not JFR: JFR's
     * execution samples miss threads that run in native code, such as an HTTP client's selector.
     */
    private static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[-_ ]?\\d+$", "");
                    out.merge(name, ticksOf(stat), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while listed
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return out;
    }

    /** Share of the service's CPU by thread group between two readings, and each group's CPU per query. */
    private static String threadShares(Map<String, Long> from, Map<String, Long> to, double queries) {
        Map<String, Long> diff = new java.util.HashMap<>();
        to.forEach((k, v) -> diff.put(k, Math.max(0, v - from.getOrDefault(k, 0L))));
        long total = diff.values().stream().mapToLong(Long::longValue).sum();
        return diff.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() > 0).limit(8)
                .map(e -> String.format("%s %.0f %% (%.3f ms/query)", e.getKey(), 100.0 * e.getValue() / Math.max(1, total),
                        10.0 * e.getValue() / Math.max(1, queries)))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** utime + stime of a {@code /proc/.../stat} line, in clock ticks (100/s). */
    private static long ticksOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Share of the machine's CPU time that was busy between two {@link #cpuSample} readings. */
    private static double busy(long[] from, long[] to) {
        return (double) (to[0] - from[0]) / Math.max(1, to[1] - from[1]);
    }

    /** The service's CPU between two {@link #cpuSample} readings, in ms per query served in between. */
    private static double serviceMsPerQuery(long[] from, long[] to, double queries) {
        return 1000 * (to[2] - from[2]) / 100.0 / Math.max(1, queries);
    }

    /** Machine busy and total jiffies (first line of /proc/stat; idle and iowait are not busy), service ticks. */
    private static long[] cpuSample(long pid) throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total, cpuTicks(pid)};
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    private static String jcmd(long pid, String command) {
        try {
            List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
            cmd.addAll(List.of(command.split(" ")));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return "jcmd failed: " + e;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
