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
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Facade of the Prometheus HTTP API ({@code query_range}, readiness). Explicit connect and read timeouts,
 * retries with backoff on 5xx, timeouts and connection failures, and one semaphore bounding the queries
 * in flight for the whole service.
 */
@ApplicationScoped
public class PrometheusClient implements MetricSource {
    private final PrometheusConfig config;
    private final ObjectMapper json;
    private final CloseableHttpClient http;
    /** Permits of live analyses' queries. */
    private final Semaphore permits;
    /** Permits of backtests' queries: a separate share of the same budget (the same semaphore when it is one). */
    private final Semaphore backtestPermits;
    private final MetricSource backtests;
    private final String baseUrl;
    /** The readiness probe's shorter deadline (the connect timeout). */
    private final RequestConfig probe;
    /** Authorization and the configured extra headers, computed once. */
    private final Map<String, String> headers = new LinkedHashMap<>();
    /** Authorization from a credential file, computed per request (rotation), or null. */
    private java.util.function.Supplier<String> authorization;
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
        // A blocking client with a connection pool: every query is a blocking call from a measurement worker, so the
        // worker writes the request and reads the answer on its own thread — no selector thread and no hand-off
        // between threads per query, which costs less CPU per query than the JDK client (ADR 0008; the measured
        // figures are in BENCHMARKS.md). Retries are ours (below), so the client's own are off; answers are not
        // compressed (gzip costs Prometheus and us CPU for a few kilobytes on a cluster network).
        int max = Math.max(1, config.maxConcurrency());
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(max + 2).setMaxConnTotal(2 * max + 2) // + the readiness probe; redirects
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.connectTimeout()))
                        .setSocketTimeout(Timeout.of(config.readTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2)) // Prometheus closes idle connections
                        .build());
        java.util.Optional<SSLContext> tls = PrometheusTls.context(config.tls());
        if (tls.isPresent()) {
            HostnameVerifier names = config.tls().insecureSkipVerify() ? NoopHostnameVerifier.INSTANCE
                    : HttpsSupport.getDefaultHostnameVerifier();
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls.get(), names));
        }
        this.http = HttpClients.custom().setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(config.readTimeout()))
                        .setConnectionRequestTimeout(Timeout.of(config.connectTimeout()))
                        .build())
                .disableAutomaticRetries().disableContentCompression().disableCookieManagement()
                .setUserAgent("canary-judge")
                .build();
        this.probe = RequestConfig.custom().setResponseTimeout(Timeout.of(config.connectTimeout()))
                .setConnectionRequestTimeout(Timeout.of(config.connectTimeout())).build();
        int backtest = Math.max(1, Math.min(config.backtestConcurrency().orElse(max / 4), max - 1));
        this.permits = new Semaphore(max > 1 ? max - backtest : 1, true);
        this.backtestPermits = max > 1 ? new Semaphore(backtest, true) : permits;
        this.backtests = new MetricSource() {
            @Override
            public List<Series> queryRange(String query, Instant start, Instant end, Duration step) {
                return matrix("/api/v1/query_range", rangeForm(query, start, end, step), backtestPermits);
            }

            @Override
            public List<Series> queryRaw(String query, Instant at) {
                return matrix("/api/v1/query", rawForm(query, at), backtestPermits);
            }

            @Override
            public MetricSource backtests() {
                return this;
            }
        };
        this.baseUrl = config.url().endsWith("/") ? config.url().substring(0, config.url().length() - 1) : config.url();
        headers.put("Accept", "application/json");
        config.headers().forEach(headers::put);
        if (config.bearerTokenFile().isPresent()) {
            SecretFile token = new SecretFile(config.bearerTokenFile().get());
            authorization = () -> "Bearer " + token.value();
        } else if (config.passwordFile().isPresent() && config.username().filter(u -> !u.isBlank()).isPresent()) {
            SecretFile password = new SecretFile(config.passwordFile().get());
            String user = config.username().get();
            authorization = () -> "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + password.value()).getBytes(StandardCharsets.UTF_8));
        } else if (config.bearerToken().filter(t -> !t.isBlank()).isPresent()) {
            headers.put("Authorization", "Bearer " + config.bearerToken().get());
        } else if (config.username().filter(u -> !u.isBlank()).isPresent()) {
            String pair = config.username().get() + ":" + config.password().orElse("");
            headers.put("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @PreDestroy
    void close() {
        try {
            http.close();
        } catch (IOException e) {
            // closing idle connections: nothing to do about it
        }
    }

    /** The URL for display: userinfo, if any, redacted. */
    public String baseUrl() {
        return io.canaryjudge.Redaction.urls(baseUrl);
    }

    /** Evaluates {@code query} at start, start+step, … end (Prometheus {@code query_range}). */
    @Override
    public List<Series> queryRange(String query, Instant start, Instant end, Duration step) {
        return matrix("/api/v1/query_range", rangeForm(query, start, end, step), permits);
    }

    private static String rangeForm(String query, Instant start, Instant end, Duration step) {
        return "query=" + enc(query) + "&start=" + seconds(start) + "&end=" + seconds(end)
                + "&step=" + (step.toMillis() / 1000.0);
    }

    private static String rawForm(String query, Instant at) {
        return "query=" + enc(query) + "&time=" + seconds(at);
    }

    /** The same Prometheus through the backtests' share of the query permits. */
    @Override
    public MetricSource backtests() {
        return backtests;
    }

    /**
     * Evaluates {@code query} at one instant (Prometheus {@code query}); a range-vector selector such as
     * {@code x{...}[5m]} returns the raw samples of each series, which is what counter differencing needs.
     * Only a matrix result is accepted.
     */
    @Override
    public List<Series> queryRaw(String query, Instant at) {
        return matrix("/api/v1/query", rawForm(query, at), permits);
    }

    /** POSTs a form query to {@code path} and parses the matrix answer, timing it as success or failure. */
    private List<Series> matrix(String path, String form, Semaphore lane) {
        byte[] body = form.getBytes(StandardCharsets.US_ASCII); // URL-encoded: ASCII only
        Timer.Sample sample = Timer.start();
        Timer outcome = failed;
        try {
            List<Series> series = parseMatrix(send(() -> {
                HttpPost post = request(new HttpPost(baseUrl + path));
                post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_FORM_URLENCODED));
                return post;
            }, lane));
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
        HttpGet get = request(new HttpGet(baseUrl + "/-/ready"));
        get.setConfig(probe);
        try {
            return http.execute(get, r -> {
                EntityUtils.consume(r.getEntity());
                return r.getCode() == 200;
            });
        } catch (IOException e) {
            return false;
        }
    }

    private <T extends HttpUriRequestBase> T request(T r) {
        headers.forEach(r::setHeader);
        if (authorization != null) {
            r.setHeader("Authorization", authorization.get());
        }
        return r;
    }

    /** Sends with retries; {@code request} makes a fresh request per attempt (a request object is used once). */
    private byte[] send(Supplier<HttpUriRequestBase> request, Semaphore lane) {
        PrometheusException last = null;
        long backoff = config.backoff().toMillis();
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            if (attempt > 0) {
                sleep(backoff);
                backoff *= 2;
            }
            try {
                return sendOnce(request.get(), lane);
            } catch (PrometheusException e) {
                last = e;
                if (!e.retryable()) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private byte[] sendOnce(HttpUriRequestBase request, Semaphore lane) {
        try {
            lane.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted", false, e);
        }
        try {
            Answer a = http.execute(request, (ClassicHttpResponse r) -> new Answer(r.getCode(), bounded(r.getEntity())));
            if (a.status() >= 500) {
                throw new PrometheusException("Prometheus answered " + a.status() + ": " + errorOf(a.text()), true, null);
            }
            if (a.status() != 200) {
                throw new PrometheusException("Prometheus rejected the query (" + a.status() + "): " + errorOf(a.text()),
                        false, null);
            }
            return a.body();
        } catch (SocketTimeoutException e) {
            throw new PrometheusException("Prometheus did not answer within " + config.readTimeout(), true, e);
        } catch (IOException e) {
            throw new PrometheusException("Prometheus unreachable at " + baseUrl + ": " + e, true, e);
        } finally {
            lane.release();
        }
    }

    /**
     * The answer's bytes, at most {@code max-response-size} of them: a larger answer is not read on (the connection is
     * dropped) and fails the query — retrying would read the same size again.
     */
    private byte[] bounded(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long limit = config.maxResponseSize().asLongValue();
        if (entity.getContentLength() > limit) {
            throw tooLarge(entity.getContentLength() + " bytes");
        }
        try (InputStream in = entity.getContent()) {
            byte[] b = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (b.length > limit) {
                throw tooLarge("more than " + limit + " bytes");
            }
            return b;
        }
    }

    private PrometheusException tooLarge(String size) {
        return new PrometheusException("Prometheus' answer is too large (" + size + "; canary.prometheus.max-response-size="
                + config.maxResponseSize().asLongValue() + " bytes): the query selects far more series or points than "
                + "one comparison needs — narrow its labels or raise the limit", false, null);
    }

    private record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
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
        return parseMatrix(body.getBytes(StandardCharsets.UTF_8));
    }

    List<Series> parseMatrix(byte[] body) {
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
