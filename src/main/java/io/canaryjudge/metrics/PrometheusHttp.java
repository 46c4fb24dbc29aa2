package io.canaryjudge.metrics;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
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
 * The HTTP side of {@link PrometheusClient}: a pooled blocking client with explicit connect and read timeouts and the
 * configured TLS, retries with backoff on 5xx, timeouts and connection failures, each attempt holding a permit of the
 * caller's lane, and answers read up to {@code max-response-size}. Faults are {@link PrometheusException}s.
 */
final class PrometheusHttp implements Closeable {
    private final PrometheusConfig config;
    private final PrometheusAnswers answers;
    private final CloseableHttpClient http;
    private final PrometheusHeaders headers;
    private final String baseUrl;
    /** The readiness probe's shorter deadline (the connect timeout). */
    private final RequestConfig probe;

    private record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    PrometheusHttp(PrometheusConfig config, PrometheusAnswers answers) {
        this.config = config;
        this.answers = answers;
        this.http = client(config);
        this.headers = new PrometheusHeaders(config);
        this.baseUrl = config.url().endsWith("/") ? config.url().substring(0, config.url().length() - 1) : config.url();
        this.probe = RequestConfig.custom().setResponseTimeout(Timeout.of(config.connectTimeout()))
                .setConnectionRequestTimeout(Timeout.of(config.connectTimeout())).build();
    }

    /**
     * A blocking client with a connection pool: every query is a blocking call from a measurement worker, so the
     * worker writes the request and reads the answer on its own thread — no selector thread and no hand-off between
     * threads per query, which costs less CPU per query than the JDK client (ADR 0008; the measured figures are in
     * BENCHMARKS.md). Retries are ours, so the client's own are off; answers are not compressed (gzip costs
     * Prometheus and us CPU for a few kilobytes on a cluster network).
     */
    private static CloseableHttpClient client(PrometheusConfig config) {
        int max = Math.max(1, config.maxConcurrency());
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(max + 2).setMaxConnTotal(2 * max + 2) // + the readiness probe; redirects
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.connectTimeout()))
                        .setSocketTimeout(Timeout.of(config.readTimeout()))
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2)) // Prometheus closes idle connections
                        .build());
        Optional<SSLContext> tls = PrometheusTls.context(config.tls());
        if (tls.isPresent()) {
            HostnameVerifier names = config.tls().insecureSkipVerify() ? NoopHostnameVerifier.INSTANCE
                    : HttpsSupport.getDefaultHostnameVerifier();
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls.get(), names));
        }
        return HttpClients.custom().setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(config.readTimeout()))
                        .setConnectionRequestTimeout(Timeout.of(config.connectTimeout()))
                        .build())
                .disableAutomaticRetries().disableContentCompression().disableCookieManagement()
                .setUserAgent("canary-judge")
                .build();
    }

    /** The configured URL without a trailing slash. */
    String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException e) {
            // closing idle connections: nothing to do about it
        }
    }

    /** True when Prometheus answers its readiness endpoint. */
    boolean ready() {
        HttpGet get = headers.on(new HttpGet(baseUrl + "/-/ready"));
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

    /** POSTs a URL-encoded form to {@code path} with retries, each attempt within a permit of {@code lane}. */
    byte[] postForm(String path, byte[] form, Semaphore lane) {
        PrometheusException last = null;
        long backoff = config.backoff().toMillis();
        for (int attempt = 0; attempt <= config.retries(); attempt++) {
            if (attempt > 0) {
                sleep(backoff);
                backoff *= 2;
            }
            // a request object is used once: a fresh one per attempt
            HttpPost post = headers.on(new HttpPost(baseUrl + path));
            post.setEntity(new ByteArrayEntity(form, ContentType.APPLICATION_FORM_URLENCODED));
            try {
                return sendOnce(post, lane);
            } catch (PrometheusException e) {
                last = e;
                if (!e.retryable()) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private byte[] sendOnce(HttpPost request, Semaphore lane) {
        try {
            lane.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted", false, e);
        }
        try {
            Answer a = http.execute(request, (ClassicHttpResponse r) -> new Answer(r.getCode(), bounded(r.getEntity())));
            if (a.status() >= 500) {
                throw new PrometheusException("Prometheus answered " + a.status() + ": " + answers.errorOf(a.text()),
                        true, null);
            }
            if (a.status() != 200) {
                throw new PrometheusException("Prometheus rejected the query (" + a.status() + "): "
                        + answers.errorOf(a.text()), false, null);
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
