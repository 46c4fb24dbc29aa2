package io.canaryjudge.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
        // Dependent tasks (reading the answer, completing the future a worker waits on) run on the client's selector
        // thread instead of being handed to a pool thread: every query is a blocking send() from a measurement worker,
        // nothing here blocks in a callback, and the hand-off cost more CPU than the query's own parsing — 36 % of the
        // client's CPU per query at 16 concurrent queries (BENCHMARKS.md, "10,000 in-flight analyses").
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL).executor(Runnable::run);
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

    /**
     * Reads a {@code query_range}/{@code query} answer with a streaming parser (no tree per answer: two thousand
     * answers a second at 10,000 analyses). Fields may come in any order; anything but a successful matrix is an error.
     */
    List<Series> parseMatrix(String body) {
        String status = null;
        String resultType = null;
        List<Series> out = null;
        try (JsonParser p = json.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new PrometheusException("Prometheus answered status null", true, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("status".equals(field) && t == JsonToken.VALUE_STRING) {
                    status = p.getText();
                } else if ("data".equals(field) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("resultType".equals(f) && v == JsonToken.VALUE_STRING) {
                            resultType = p.getText();
                        } else if ("result".equals(f) && v == JsonToken.START_ARRAY) {
                            out = readSeries(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PrometheusException pe) {
                throw pe;
            }
            throw new PrometheusException("unreadable answer from Prometheus: " + e.getMessage(), true, e);
        }
        if (!"success".equals(status)) {
            throw new PrometheusException("Prometheus answered status " + (status == null ? "null" : "\"" + status + "\""),
                    true, null);
        }
        if (!"matrix".equals(resultType)) {
            throw new PrometheusException("expected a matrix result, got " + (resultType == null ? "nothing" : resultType),
                    false, null);
        }
        return out == null ? List.of() : out;
    }

    /** The {@code result} array of a matrix: {@code [{"metric":{...},"values":[[t,"v"],...]}, ...]}. */
    private static List<Series> readSeries(JsonParser p) throws IOException {
        List<Series> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<String, String> labels = new LinkedHashMap<>();
            double[] times = new double[16];
            double[] vals = new double[16];
            int n = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("metric".equals(f) && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        if (p.nextToken().isStructStart()) {
                            p.skipChildren(); // not a label value: Prometheus never sends one
                            labels.put(name, "");
                        } else {
                            labels.put(name, p.getText());
                        }
                    }
                } else if ("values".equals(f) && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        p.nextToken();
                        double time = p.getValueAsDouble();
                        p.nextToken();
                        double value = parseValue(p.getText());
                        if (p.nextToken() != JsonToken.END_ARRAY) {
                            throw new PrometheusException("unreadable answer from Prometheus: a sample is not [time, value]",
                                    true, null);
                        }
                        if (n == times.length) {
                            times = java.util.Arrays.copyOf(times, 2 * n);
                            vals = java.util.Arrays.copyOf(vals, 2 * n);
                        }
                        times[n] = time;
                        vals[n++] = value;
                    }
                } else {
                    p.skipChildren();
                }
            }
            out.add(new Series(labels, java.util.Arrays.copyOf(times, n), java.util.Arrays.copyOf(vals, n)));
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
