package io.canaryjudge.load.scale;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Live synthetic metrics of {@code services} services × 2 cohorts (track="canary"/"stable") for a real Prometheus
 * to scrape, split into {@code shards} scrape targets ({@code /metrics/<shard>} serves the services with
 * index % shards == shard). Per service and cohort: {@code scale_requests_total} and {@code scale_errors_total}
 * (counters growing with wall time: 10–16 req/s, 0.9–1.1 % errors) and {@code scale_latency_seconds} (a gauge around
 * 100 ms that changes every 15 s). Canary and stable follow the same law with different noise: an A/A comparison.
 */
final class SyntheticExporter implements AutoCloseable {
    private final HttpServer server;
    private final int services;
    private final int shards;
    private final long t0 = System.currentTimeMillis() - 3_600_000L;

    SyntheticExporter(int services, int shards) throws IOException {
        this.services = services;
        this.shards = shards;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "exporter");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int shard = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            byte[] body = render(shard, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    int shards() {
        return shards;
    }

    static String service(int i) {
        return "svc-" + i;
    }

    String render(int shard, long nowMillis) {
        double seconds = (nowMillis - t0) / 1000.0;
        long slot = nowMillis / 15_000;
        StringBuilder sb = new StringBuilder(220 * (services / shards + 1) * 2);
        sb.append("# TYPE scale_requests_total counter\n# TYPE scale_errors_total counter\n# TYPE scale_latency_seconds gauge\n");
        for (int i = shard; i < services; i += shards) {
            for (int c = 0; c < 2; c++) {
                String labels = "{service=\"" + service(i) + "\",track=\"" + (c == 0 ? "canary" : "stable") + "\"}";
                double rps = 10 + (i % 7);
                long requests = (long) (seconds * rps);
                // monotone (a counter): the error share differs a little per service and cohort, not over time
                long errors = (long) (requests * (0.009 + 0.002 * noise(i, c, -1)));
                double latency = 0.1 * (1 + 0.2 * (noise(i, c, slot + 7) - 0.5));
                sb.append("scale_requests_total").append(labels).append(' ').append(requests).append('\n');
                sb.append("scale_errors_total").append(labels).append(' ').append(errors).append('\n');
                sb.append("scale_latency_seconds").append(labels).append(' ').append(latency).append('\n');
            }
        }
        return sb.toString();
    }

    /** Deterministic noise in [0, 1) per service, cohort and 15 s slot. */
    private static double noise(int service, int cohort, long slot) {
        long h = service * 0x9E3779B97F4A7C15L ^ (cohort + 1) * 0xC2B2AE3D27D4EB4FL ^ slot * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
