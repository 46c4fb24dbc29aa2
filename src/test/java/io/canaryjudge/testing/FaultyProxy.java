package io.canaryjudge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP proxy in front of the real Prometheus that can be told, per query, to fail: after the first
 * {@code after} requests whose query contains {@code match}, answer 503, answer garbage, answer too slowly, or
 * drop the connection (Prometheus gone). Rules are set over HTTP ({@code POST /__faults}) so tests in any class
 * loader can drive it.
 */
public final class FaultyProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String target;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /** One fault: for requests whose decoded form contains {@code match}, from request {@code after + 1} on. */
    record Rule(String match, int after, String mode, long delayMillis, AtomicInteger seen) {
    }

    private FaultyProxy(String target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faulty-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/__faults", this::control);
        server.createContext("/", this::forward);
        server.start();
    }

    public static FaultyProxy start(String target) {
        try {
            return new FaultyProxy(target);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds a rule through the control endpoint of a proxy at {@code proxyUrl}. */
    public static void fault(String proxyUrl, String match, int after, String mode, long delayMillis) {
        try {
            String body = JSON.createObjectNode().put("match", match).put("after", after).put("mode", mode)
                    .put("delayMillis", delayMillis).toString();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxyUrl + "/__faults"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 204) {
                throw new IllegalStateException("proxy refused the rule: " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes the rules of {@code match} from a proxy at {@code proxyUrl}. */
    public static void clear(String proxyUrl, String match) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(proxyUrl + "/__faults?match=" + match))
                    .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void control(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("DELETE")) {
            String q = ex.getRequestURI().getQuery();
            if (q != null && q.startsWith("match=")) {
                String match = q.substring("match=".length());
                rules.removeIf(r -> r.match().equals(match));
            } else {
                rules.clear();
            }
        } else {
            JsonNode n = JSON.readTree(ex.getRequestBody());
            rules.add(new Rule(n.path("match").asText(), n.path("after").asInt(), n.path("mode").asText(),
                    n.path("delayMillis").asLong(), new AtomicInteger()));
        }
        ex.sendResponseHeaders(204, -1);
        ex.close();
    }

    private void forward(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String raw = ex.getRequestURI().getRawQuery();
        // the path too, so a rule can match an endpoint without a query (e.g. /-/ready)
        String decoded = ex.getRequestURI().getPath() + "?" + URLDecoder.decode((raw == null ? "" : raw) + "&"
                + new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        for (Rule rule : rules) {
            if (decoded.contains(rule.match()) && rule.seen().incrementAndGet() > rule.after()) {
                switch (rule.mode()) {
                    case "503" -> {
                        respond(ex, 503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"injected\"}");
                        return;
                    }
                    case "garbage" -> {
                        respond(ex, 200, "<html>not prometheus</html>");
                        return;
                    }
                    case "drop" -> {
                        ex.close(); // no response at all: the connection ends as if Prometheus died
                        return;
                    }
                    case "slow" -> sleep(rule.delayMillis());
                    default -> throw new IllegalStateException("unknown mode " + rule.mode());
                }
            }
        }
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()));
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type != null) {
                b.header("Content-Type", type);
            }
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            ex.getResponseHeaders().add("Content-Type", r.headers().firstValue("Content-Type").orElse("application/json"));
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(ex, 502, "interrupted");
        } catch (IOException e) {
            respond(ex, 502, e.toString());
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
