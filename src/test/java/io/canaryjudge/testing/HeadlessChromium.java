package io.canaryjudge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The Debian {@code chromium} package driven headless over the DevTools protocol with the JDK's WebSocket: no
 * downloaded browser, no driver. Collects console errors, uncaught exceptions and failed loads of the page.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path userDataDir;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private HeadlessChromium(Process process, Path userDataDir, WebSocket socket) {
        this.process = process;
        this.userDataDir = userDataDir;
        this.socket = socket;
    }

    /** The browser binary: {@code CHROMIUM} if set, else Debian's {@code /usr/bin/chromium}. */
    public static Path binary() {
        String env = System.getenv("CHROMIUM");
        return Path.of(env != null && !env.isBlank() ? env : "/usr/bin/chromium");
    }

    public static HeadlessChromium start(int width, int height) throws IOException, InterruptedException {
        Path bin = binary();
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException(bin + " not found: install Debian's chromium package "
                    + "(apt-get install -y --no-install-recommends chromium), as .ci/run does");
        }
        Path dir = Files.createTempDirectory("canary-judge-chromium");
        // flags per the machine notes: no sandbox as root, no GPU, and no background connections (the network is closed)
        Process p = new ProcessBuilder(bin.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--disable-extensions", "--hide-scrollbars", "--user-data-dir=" + dir, "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        try {
            int port = devToolsPort(dir, p);
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String wsUrl = null;
            for (JsonNode t : JSON.readTree(list)) {
                if ("page".equals(t.path("type").asText())) {
                    wsUrl = t.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (wsUrl == null) {
                throw new IllegalStateException("Chromium has no page target: " + list);
            }
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsUrl), listener).get(20, TimeUnit.SECONDS);
            HeadlessChromium c = new HeadlessChromium(p, dir, ws);
            listener.owner = c;
            c.send("Runtime.enable", null);
            c.send("Log.enable", null);
            c.send("Page.enable", null);
            return c;
        } catch (Exception e) {
            p.destroyForcibly();
            throw e instanceof IOException io ? io : new IOException("Chromium did not start: " + e, e);
        }
    }

    private static int devToolsPort(Path dir, Process p) throws IOException, InterruptedException {
        Path file = dir.resolve("DevToolsActivePort");
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                    return Integer.parseInt(lines.get(0).trim());
                }
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("Chromium exited: " + Files.readString(dir.resolve("chromium.log")));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no DevToolsActivePort after 30 s");
    }

    /** Sends a DevTools command and waits for its result. */
    public JsonNode send(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        if (params != null) {
            msg.set("params", params);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(msg.toString(), true).join();
        try {
            JsonNode r = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (r.has("error")) {
                throw new IllegalStateException(method + " failed: " + r.get("error"));
            }
            return r.path("result");
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(method + ": " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    public void navigate(String url) {
        send("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** Evaluates a JavaScript expression in the page (promises awaited) and returns its JSON value. */
    public JsonNode evaluate(String expression) {
        JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Polls a JavaScript condition until it is truthy. */
    public void waitFor(String condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonNode v = evaluate("!!(" + condition + ")");
            if (v.asBoolean()) {
                return;
            }
            Thread.sleep(150);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + condition + "; page: "
                + evaluate("document.body ? document.body.innerText.substring(0, 500) : ''").asText()
                + "; console errors: " + errors);
    }

    /** A PNG of the page from the top, {@code height} CSS pixels tall (the whole page when 0). */
    public byte[] screenshot(int height) {
        int h = height > 0 ? height : evaluate("document.documentElement.scrollHeight").asInt();
        int w = evaluate("document.documentElement.clientWidth").asInt();
        ObjectNode clip = JSON.createObjectNode().put("x", 0).put("y", 0).put("width", w).put("height", h).put("scale", 1);
        ObjectNode params = JSON.createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        params.set("clip", clip);
        return Base64.getDecoder().decode(send("Page.captureScreenshot", params).path("data").asText());
    }

    /** Console errors, uncaught exceptions and failed resource loads since the start, in order. */
    public List<String> errors() {
        return new ArrayList<>(errors);
    }

    /** Forgets the errors so far (each test checks its own page). */
    public void clearErrors() {
        errors.clear();
    }

    private void onMessage(JsonNode msg) {
        if (msg.has("id")) {
            CompletableFuture<JsonNode> f = pending.get(msg.get("id").asInt());
            if (f != null) {
                f.complete(msg);
            }
            return;
        }
        JsonNode p = msg.path("params");
        switch (msg.path("method").asText()) {
            case "Runtime.consoleAPICalled" -> {
                if ("error".equals(p.path("type").asText()) || "assert".equals(p.path("type").asText())) {
                    errors.add("console." + p.path("type").asText() + ": " + p.path("args"));
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
            case "Log.entryAdded" -> {
                if ("error".equals(p.path("entry").path("level").asText())) {
                    errors.add("log: " + p.path("entry").path("text").asText() + " " + p.path("entry").path("url").asText());
                }
            }
            default -> { }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is ended below either way
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(userDataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    HeadlessChromium o = owner;
                    if (o != null) {
                        o.onMessage(JSON.readTree(text));
                    }
                } catch (IOException ignored) {
                    // not JSON: DevTools never sends that
                }
            }
            ws.request(1);
            return null;
        }
    }
}
