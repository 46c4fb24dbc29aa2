package io.canaryjudge.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * Live synthetic telemetry for a real Prometheus to scrape: the series of {@link SyntheticWorkload}, advancing with
 * wall-clock time (counters grow by Poisson traffic since the last scrape). For analyses running now.
 */
public final class LiveMetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final List<SyntheticWorkload.Service> services;
    private final Map<String, Cohort> cohorts = new LinkedHashMap<>();
    private final Random rnd = new Random(11);

    private static final class Cohort {
        final SyntheticWorkload.Profile profile;
        final long[] buckets200 = new long[SyntheticWorkload.BUCKETS.length + 1];
        final long[] buckets500 = new long[SyntheticWorkload.BUCKETS.length + 1];
        long count200;
        long count500;
        double cpu;
        long lastNanos = System.nanoTime();

        Cohort(SyntheticWorkload.Profile profile) {
            this.profile = profile;
        }
    }

    private LiveMetricsServer(List<SyntheticWorkload.Service> services) throws IOException {
        this.services = List.copyOf(services);
        for (SyntheticWorkload.Service s : services) {
            cohorts.put(s.namespace() + "/" + s.name() + "/stable", new Cohort(s.stable()));
            cohorts.put(s.namespace() + "/" + s.name() + "/canary", new Cohort(s.canary()));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "live-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static LiveMetricsServer start(List<SyntheticWorkload.Service> services) {
        try {
            return new LiveMetricsServer(services);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rollouts-pod-template-hash a cohort's series carry (lowercase letters and digits). */
    public static String podTemplateHash(String service, String track) {
        return (service + track).replaceAll("[^a-z0-9]", "");
    }

    /** host:port for a Prometheus scrape config. */
    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized String scrape() {
        StringBuilder sb = new StringBuilder();
        for (SyntheticWorkload.Service s : services) {
            for (String track : List.of("stable", "canary")) {
                Cohort c = cohorts.get(s.namespace() + "/" + s.name() + "/" + track);
                advance(c);
                // the label Prometheus' Kubernetes discovery gives an Argo Rollouts pod: its ReplicaSet's hash; and
                // the app label of Flagger's pods: <name> for the canary, <name>-primary for the stable ones
                String base = "namespace=\"" + s.namespace() + "\",service=\"" + s.name() + "\",track=\"" + track
                        + "\",rollouts_pod_template_hash=\"" + podTemplateHash(s.name(), track) + "\",app=\""
                        + s.name() + (track.equals("stable") ? "-primary" : "") + "\"";
                for (String status : List.of("200", "500")) {
                    long[] b = status.equals("200") ? c.buckets200 : c.buckets500;
                    String labels = base + ",status=\"" + status + "\"";
                    for (int i = 0; i <= SyntheticWorkload.BUCKETS.length; i++) {
                        String le = i == SyntheticWorkload.BUCKETS.length ? "+Inf" : Double.toString(SyntheticWorkload.BUCKETS[i]);
                        sb.append("http_server_requests_seconds_bucket{").append(labels).append(",le=\"").append(le)
                                .append("\"} ").append(b[i]).append('\n');
                    }
                    sb.append("http_server_requests_seconds_count{").append(labels).append("} ")
                            .append(status.equals("200") ? c.count200 : c.count500).append('\n');
                }
                String pod = base + ",pod=\"" + s.name() + "-" + track + "-0\",container=\"app\"";
                sb.append("container_memory_working_set_bytes{").append(pod).append("} ")
                        .append(c.profile.memoryBytes() + (long) ((rnd.nextDouble() * 2 - 1) * c.profile.memoryJitterBytes()))
                        .append('\n');
                sb.append("container_cpu_usage_seconds_total{").append(pod).append("} ").append(c.cpu).append('\n');
            }
        }
        return sb.toString();
    }

    private void advance(Cohort c) {
        long now = System.nanoTime();
        double seconds = (now - c.lastNanos) / 1e9;
        c.lastNanos = now;
        int requests = (int) Math.round(c.profile.rps() * seconds + Math.sqrt(c.profile.rps() * seconds) * rnd.nextGaussian());
        for (int r = 0; r < Math.max(0, requests); r++) {
            boolean error = rnd.nextDouble() < c.profile.errorRate();
            double latency = c.profile.medianLatencySeconds() * Math.exp(c.profile.latencySigma() * rnd.nextGaussian());
            long[] b = error ? c.buckets500 : c.buckets200;
            for (int i = 0; i < SyntheticWorkload.BUCKETS.length; i++) {
                if (latency <= SyntheticWorkload.BUCKETS[i]) {
                    b[i]++;
                }
            }
            b[SyntheticWorkload.BUCKETS.length]++;
            if (error) {
                c.count500++;
            } else {
                c.count200++;
            }
        }
        c.cpu += SyntheticWorkload.IDLE_CPU_CORES * seconds + Math.max(0, requests) * c.profile.cpuSecondsPerRequest();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
