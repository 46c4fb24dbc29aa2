package io.canaryjudge.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Facade of the Prometheus HTTP API ({@code query_range}, readiness). Explicit connect and read timeouts,
 * retries with backoff on 5xx, timeouts and connection failures, and one semaphore bounding the queries
 * in flight for the whole service.
 */
@ApplicationScoped
public class PrometheusClient {
    private final PrometheusConfig config;
    private final ObjectMapper json;
    private final HttpClient http;
    private final Semaphore permits;
    private final String baseUrl;
    /** The few endpoint URIs, parsed once (URI parsing showed in the per-query profile). */
    private final Map<String, URI> uris = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer succeeded;
    private final Timer failed;

    PrometheusClient(PrometheusConfig config, ObjectMapper json) {
        this(config, json, new SimpleMeterRegistry());
    }

    @Inject
    PrometheusClient(PrometheusConfig config, ObjectMapper json, MeterRegistry registry) {
        this.config = config;
        // one observation per query_range call, retries and waiting for a permit included: what an analysis waits
        this.succeeded = queryTimer(registry, "success");
        this.failed = queryTimer(registry, "error");
        this.json = json;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        PrometheusTls.context(config.tls()).ifPresent(b::sslContext);
        this.http = b.build();
        this.permits = new Semaphore(Math.max(1, config.maxConcurrency()), true);
        this.baseUrl = config.url().endsWith("/") ? config.url().substring(0, config.url().length() - 1) : config.url();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Evaluates {@code query} at start, start+step, … end (Prometheus {@code query_range}). */
    public List<Series> queryRange(String query, Instant start, Instant end, Duration step) {
        String form = "query=" + enc(query) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + (step.toMillis() / 1000.0);
        return matrix("/api/v1/query_range", form);
    }

    /**
     * Evaluates {@code query} at one instant (Prometheus {@code query}); a range-vector selector such as
     * {@code x{...}[5m]} returns the raw samples of each series, which is what counter differencing needs.
     * Only a matrix result is accepted.
     */
    public List<Series> queryRaw(String query, Instant at) {
        String form = "query=" + enc(query) + "&time=" + seconds(at);
        return matrix("/api/v1/query", form);
    }

    /** POSTs a form query to {@code path} and parses the matrix answer, timing it as success or failure. */
    private List<Series> matrix(String path, String form) {
        HttpRequest request = request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        Timer.Sample sample = Timer.start();
        Timer outcome = failed;
        try {
            List<Series> series = parseMatrix(send(request));
            outcome = succeeded;
            return series;
        } finally {
            sample.stop(outcome);
        }
    }

    private static Timer queryTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("canary.prometheus.query").description("Prometheus query_range calls, retries included")
                .tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }

    /** True when Prometheus answers its readiness endpoint. */
    public boolean ready() {
        try {
            HttpResponse<String> r = http.send(request("/-/ready").timeout(config.connectTimeout()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uris.computeIfAbsent(path, p -> URI.create(baseUrl + p))).timeout(config.readTimeout())
                .header("Accept", "application/json");
        config.headers().forEach(b::header);
        if (config.bearerToken().filter(t -> !t.isBlank()).isPresent()) {
            b.header("Authorization", "Bearer " + config.bearerToken().get());
        } else if (config.username().filter(u -> !u.isBlank()).isPresent()) {
            String pair = config.username().get() + ":" + config.password().orElse("");
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private String send(HttpRequest request) {
        PrometheusException last = null;
        long backoff = config.backoff().toMillis();
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            if (attempt > 0) {
                sleep(backoff);
                backoff *= 2;
            }
            try {
                return sendOnce(request);
            } catch (PrometheusException e) {
                last = e;
                if (!e.retryable()) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private String sendOnce(HttpRequest request) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted", false, e);
        }
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 500) {
                throw new PrometheusException("Prometheus answered " + r.statusCode() + ": " + errorOf(r.body()), true, null);
            }
            if (r.statusCode() != 200) {
                throw new PrometheusException("Prometheus rejected the query (" + r.statusCode() + "): " + errorOf(r.body()),
                        false, null);
            }
            return r.body();
        } catch (HttpTimeoutException e) {
            throw new PrometheusException("Prometheus did not answer within " + config.readTimeout(), true, e);
        } catch (IOException e) {
            throw new PrometheusException("Prometheus unreachable at " + baseUrl + ": " + e, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted", false, e);
        } finally {
            permits.release();
        }
    }

    private String errorOf(String body) {
        try {
            JsonNode n = json.readTree(body);
            if (n.hasNonNull("error")) {
                return n.path("errorType").asText("error") + ": " + n.get("error").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to the raw text
        }
        return body == null ? "" : body.substring(0, Math.min(200, body.length()));
    }

    List<Series> parseMatrix(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new PrometheusException("unreadable answer from Prometheus: " + e.getMessage(), true, e);
        }
        if (root == null || !"success".equals(root.path("status").asText())) {
            throw new PrometheusException("Prometheus answered status " + (root == null ? "null" : root.path("status")), true, null);
        }
        JsonNode data = root.path("data");
        if (!"matrix".equals(data.path("resultType").asText())) {
            throw new PrometheusException("expected a matrix result, got " + data.path("resultType").asText("nothing"), false, null);
        }
        List<Series> out = new ArrayList<>();
        for (JsonNode s : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("metric").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                labels.put(e.getKey(), e.getValue().asText());
            }
            JsonNode values = s.path("values");
            double[] times = new double[values.size()];
            double[] vals = new double[values.size()];
            for (int i = 0; i < values.size(); i++) {
                JsonNode pair = values.get(i);
                times[i] = pair.get(0).asDouble();
                vals[i] = parseValue(pair.get(1).asText());
            }
            out.add(new Series(labels, times, vals));
        }
        return out;
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static String seconds(Instant t) {
        if (t.getNano() == 0) {
            return Long.toString(t.getEpochSecond());
        }
        int ms = t.getNano() / 1_000_000; // two per query: no format parser
        return t.getEpochSecond() + (ms < 10 ? ".00" : ms < 100 ? ".0" : ".") + ms;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
