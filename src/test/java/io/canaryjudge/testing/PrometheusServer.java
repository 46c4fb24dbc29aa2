package io.canaryjudge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (the Debian package's binary) on a free loopback port, its TSDB backfilled by promtool
 * from OpenMetrics before it starts, so query_range returns exactly the written values.
 */
public final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final String url;

    private PrometheusServer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static PrometheusServer start(Path dir, String openMetrics) {
        return start(dir, openMetrics, null, false);
    }

    /**
     * @param webConfig contents of Prometheus' {@code --web.config.file} (basic auth users, TLS), or null
     * @param https     whether the web config turns on TLS (readiness is then polled without verification)
     */
    public static PrometheusServer start(Path dir, String openMetrics, String webConfig, boolean https) {
        return start(dir, openMetrics, webConfig, https, null);
    }

    /** A Prometheus backfilled from an OpenMetrics file (for inputs too large to hold as one String). */
    public static PrometheusServer start(Path dir, Path openMetricsFile) {
        return start(dir, null, null, false, null, openMetricsFile);
    }

    /** A Prometheus that also scrapes {@code scrapeTarget} (host:port, path /metrics) every second; no backfill. */
    public static PrometheusServer scraping(Path dir, String scrapeTarget) {
        return start(dir, null, null, false, scrapeTarget);
    }

    private static PrometheusServer start(Path dir, String openMetrics, String webConfig, boolean https,
                                          String scrapeTarget) {
        return start(dir, openMetrics, webConfig, https, scrapeTarget, null);
    }

    private static PrometheusServer start(Path dir, String openMetrics, String webConfig, boolean https,
                                          String scrapeTarget, Path openMetricsFile) {
        try {
            String prometheus = binary("prometheus");
            String promtool = binary("promtool");
            Files.createDirectories(dir);
            Path data = dir.resolve("data");
            if (openMetrics != null) {
                Path input = dir.resolve("backfill.om");
                Files.writeString(input, openMetrics, StandardCharsets.UTF_8);
                run(List.of(promtool, "tsdb", "create-blocks-from", "openmetrics", input.toString(), data.toString()), dir);
            }
            if (openMetricsFile != null) {
                run(List.of(promtool, "tsdb", "create-blocks-from", "openmetrics", openMetricsFile.toString(),
                        data.toString()), dir);
            }
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, scrapeTarget == null ? "global:\n  scrape_interval: 15s\nscrape_configs: []\n"
                    : "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: live\n"
                    + "    honor_labels: true\n    static_configs:\n      - targets: ['" + scrapeTarget + "']\n");
            int port = EmbeddedKafka.freePort();
            List<String> cmd = new java.util.ArrayList<>(List.of(prometheus, "--config.file=" + config,
                    "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y",
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
            if (webConfig != null) {
                Path web = dir.resolve("web.yml");
                Files.writeString(web, webConfig);
                cmd.add("--web.config.file=" + web);
            }
            Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            String url = (https ? "https" : "http") + "://127.0.0.1:" + port;
            awaitReady(p, url, dir, webConfig != null);
            return new PrometheusServer(p, url);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Prometheus", e);
        }
    }

    private static void awaitPort(Process p, String url, Path dir) throws IOException {
        int port = URI.create(url).getPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Prometheus exited:\n" + Files.readString(dir.resolve("prometheus.log")));
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("Prometheus did not listen within 30 s");
    }

    public String url() {
        return url;
    }

    /** The Prometheus process (tests freeze it with SIGSTOP to see a server that accepts but never answers). */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String binary(String name) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return dir + "/" + name;
            }
        }
        throw new IllegalStateException(name + " is not installed: apt-get install -y --no-install-recommends prometheus");
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("promtool.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void awaitReady(Process p, String url, Path dir, boolean secured) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        if (secured) {
            // behind auth/TLS: wait for the port to accept connections instead of asking /-/ready
            awaitPort(p, url, dir);
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Prometheus exited:\n" + Files.readString(dir.resolve("prometheus.log")));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("Prometheus not ready within 30 s:\n" + Files.readString(dir.resolve("prometheus.log")));
    }
}
