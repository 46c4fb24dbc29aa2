package io.canaryjudge.load.scale;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * The baseline: a plain closed-loop HTTP client (the JDK's HttpClient with its defaults) sending Prometheus exactly
 * the {@code query_range} requests the service sends for the run's analyses — the template's 3 queries rendered for
 * a random service and cohort, over the latest interval at the template's step, as a form POST — at increasing
 * concurrency. Prometheus's maximum sustainable rate for these queries is the best rate over the sweep.
 */
final class QueryLoad {
    record Level(int concurrency, long requests, long errors, double perSecond, double p50Ms, double p99Ms,
                 double clientCores, double prometheusCores) {
    }

    private final String prometheus;
    private final List<String> queries;
    private final int services;
    private final Duration interval;
    private final Duration step;
    /** The plain client (JDK HttpClient, defaults), or null. */
    private final HttpClient http;
    /** The service's client (Apache HttpClient 5 classic, pooled, as PrometheusClient configures it), or null. */
    private final CloseableHttpClient apache;

    private final long prometheusPid;

    /**
     * {@code asService}: the client configured as the service's PrometheusClient (Apache HttpClient 5 classic with a
     * connection pool, no compression, no automatic retries) instead of the JDK's with its defaults — the second,
     * stricter baseline: Prometheus's maximum when its client costs what the service's does.
     */
    QueryLoad(String prometheus, long prometheusPid, List<String> queries, int services, Duration interval, Duration step,
              boolean asService) {
        this.http = asService ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.apache = asService ? HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(256).setMaxConnTotal(256)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(5))
                                .setSocketTimeout(Timeout.ofSeconds(10)).build())
                        .build())
                .disableAutomaticRetries().disableContentCompression().disableCookieManagement().build() : null;
        this.prometheusPid = prometheusPid;
        this.prometheus = prometheus;
        this.queries = queries;
        this.services = services;
        this.interval = interval;
        this.step = step;
    }

    /** The query for service {@code i}, cohort and metric: the template text with {{cohort}} filled as the service does. */
    static String render(String query, int service, String track) {
        return query.replace("{{cohort}}", "service=\"" + SyntheticExporter.service(service) + "\",track=\"" + track + "\"");
    }

    private String randomForm() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String q = render(queries.get(r.nextInt(queries.size())), r.nextInt(services), r.nextBoolean() ? "canary" : "stable");
        // the service's sequential read of the latest whole interval: (end - interval + step, end] at the step
        long stepS = step.toSeconds();
        long end = System.currentTimeMillis() / 1000 / stepS * stepS;
        long start = end - interval.toSeconds() + stepS;
        return "query=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&start=" + start + "&end=" + end
                + "&step=" + (double) stepS;
    }

    /** One query_range request with a random service's query; the answer's status code and body. */
    private Answer send() throws java.io.IOException, InterruptedException {
        String form = randomForm();
        if (apache != null) {
            HttpPost post = new HttpPost(prometheus + "/api/v1/query_range");
            post.setHeader("Accept", "application/json");
            post.setEntity(new ByteArrayEntity(form.getBytes(StandardCharsets.US_ASCII),
                    ContentType.APPLICATION_FORM_URLENCODED));
            return apache.execute(post, r -> new Answer(r.getCode(),
                    EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query_range"))
                .timeout(Duration.ofSeconds(10)).header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    private record Answer(int statusCode, String body) {
    }

    Level run(int concurrency, Duration length) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long selfBefore = ScaleRun.cpuTicks(ProcessHandle.current().pid());
        long promBefore = ScaleRun.cpuTicks(prometheusPid);
        long end = System.nanoTime() + length.toNanos();
        AtomicLong errors = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            futures.add(pool.submit(() -> {
                long[] lat = new long[1 << 14];
                int n = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    Answer r;
                    try {
                        r = send();
                    } catch (java.io.IOException e) {
                        errors.incrementAndGet(); // e.g. a pooled connection closed under the request: counted, not timed
                        if (errors.get() % 100 == 1) {
                            System.out.println("  baseline request failed: " + e);
                        }
                        continue;
                    }
                    long dt = System.nanoTime() - t0;
                    if (r.statusCode() != 200 || !r.body().contains("\"status\":\"success\"")
                            || !r.body().contains("\"values\"")) {
                        errors.incrementAndGet(); // no data is a failure too: the baseline must read real series
                        continue; // and it is not counted in the rate (an empty answer is cheaper)
                    }
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = dt;
                }
                return Arrays.copyOf(lat, n);
            }));
        }
        List<long[]> parts = new ArrayList<>();
        for (Future<long[]> f : futures) {
            parts.add(f.get());
        }
        pool.shutdown();
        double ticks = 100.0 * length.toNanos() / 1e9;
        double clientCores = (ScaleRun.cpuTicks(ProcessHandle.current().pid()) - selfBefore) / ticks;
        double promCores = (ScaleRun.cpuTicks(prometheusPid) - promBefore) / ticks;
        long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double seconds = length.toNanos() / 1e9;
        return new Level(concurrency, all.length, errors.get(), all.length / seconds, all[all.length / 2] / 1e6,
                all[(int) (all.length * 0.99)] / 1e6, clientCores, promCores);
    }

    /** Concurrency 1, 2, 4, … up to {@code maxConcurrency}; stops early once the rate falls 10 % below the best. */
    List<Level> sweep(int maxConcurrency, Duration perLevel) throws Exception {
        run(4, Duration.ofSeconds(2)); // warm-up: connections, JIT, Prometheus's caches
        List<Level> levels = new ArrayList<>();
        double best = 0;
        for (int c = 1; c <= maxConcurrency; c *= 2) {
            Level l = run(c, perLevel);
            levels.add(l);
            System.out.printf("  baseline concurrency %3d: %7.0f queries/s  p50 %6.2f ms  p99 %7.2f ms  failed %d  "
                    + "CPU: client %.2f, Prometheus %.2f cores%n", c, l.perSecond(), l.p50Ms(), l.p99Ms(), l.errors(),
                    l.clientCores(), l.prometheusCores());
            if (l.perSecond() < best * 0.9) {
                break;
            }
            best = Math.max(best, l.perSecond());
        }
        return levels;
    }
}
