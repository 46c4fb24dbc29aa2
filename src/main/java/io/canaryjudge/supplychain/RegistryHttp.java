package io.canaryjudge.supplychain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transport of {@link RegistryClient}: one GET on the JDK's {@link HttpClient} with redirects followed by hand (at
 * most 5, never from HTTPS to HTTP, the Authorization header only to the host it is meant for), the whole exchange
 * bounded by the timeout and the answer by a size limit. Every failure is a {@link RegistryException}. Thread-safe.
 */
final class RegistryHttp {
    private static final int MAX_REDIRECTS = 5;

    /** An answer as received: status, headers, body. */
    record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    private final Duration timeout;
    private final HttpClient http;
    private final AtomicLong requests = new AtomicLong();

    RegistryHttp(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** HTTP requests sent so far. */
    long requestCount() {
        return requests.get();
    }

    /**
     * GETs {@code uri}, sending {@code authorization} (may be null) to {@code authHost} only, and follows redirects.
     */
    Answer send(URI uri, String accept, String authorization, int limit, String authHost)
            throws RegistryException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout).GET()
                    .header("Accept", accept).header("User-Agent", "canary-judge-supplychain");
            String currentAuthority = current.getAuthority() == null ? "" : current.getAuthority().toLowerCase(Locale.ROOT);
            if (authorization != null && currentAuthority.equals(authHost)) {
                b.header("Authorization", authorization);
            }
            HttpResponse<byte[]> r = exchange(b.build(), limit, current);
            int status = r.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = r.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, status,
                            current.getAuthority() + " redirected without a Location");
                }
                URI next = current.resolve(location);
                if ("https".equals(current.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                    throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, status,
                            current.getAuthority() + " redirected from HTTPS to " + next.getScheme() + ": refused");
                }
                current = next;
                continue;
            }
            return new Answer(status, r.headers(), r.body());
        }
        throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 0,
                uri.getAuthority() + " redirected more than " + MAX_REDIRECTS + " times");
    }

    /**
     * One request, its whole answer (headers and body) within the timeout: the request's own timeout covers only
     * the wait for the headers, so the exchange as a whole is bounded here too.
     */
    private HttpResponse<byte[]> exchange(HttpRequest request, int limit, URI uri) throws RegistryException {
        requests.incrementAndGet();
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, info -> new LimitedBody(limit));
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new RegistryException(RegistryException.Kind.TIMEOUT,
                    uri.getAuthority() + " did not answer within " + timeout, e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, "interrupted while asking " + uri.getAuthority(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof HttpTimeoutException) {
                throw new RegistryException(RegistryException.Kind.TIMEOUT,
                        uri.getAuthority() + " did not answer within " + timeout, c);
            }
            if (c instanceof TooLarge) {
                throw new RegistryException(RegistryException.Kind.BAD_RESPONSE, 200,
                        uri.getAuthority() + " answered more than " + limit + " bytes for " + uri.getPath());
            }
            if (c instanceof ConnectException) {
                throw new RegistryException(RegistryException.Kind.UNREACHABLE,
                        uri.getAuthority() + ": connection refused or failed", c);
            }
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, uri.getAuthority() + ": "
                    + c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage()), c);
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("answer over the size limit");
        }
    }

    /** Collects a body up to {@code limit} bytes and cancels the exchange past it. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
