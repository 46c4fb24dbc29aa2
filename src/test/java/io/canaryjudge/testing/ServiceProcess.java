package io.canaryjudge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a separate operating-system process. */
public final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final String url;
    private final Path log;

    private ServiceProcess(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    public static ServiceProcess start(Path log, Map<String, String> env) {
        return start(log, env, java.util.List.of());
    }

    /** @param jvmArgs extra JVM arguments, e.g. {@code -Dkafka.property=value} for connector attributes */
    public static ServiceProcess start(Path log, Map<String, String> env, java.util.List<String> jvmArgs) {
        try {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: these tests run after 'package' (./mvnw verify)");
            }
            int port = EmbeddedKafka.freePort();
            java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
            cmd.addAll(jvmArgs);
            cmd.addAll(java.util.List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            // the packaged service refuses to start without API keys unless told it runs open: the tests that
            // check authentication pass keys (which always win), the others run open explicitly
            pb.environment().put("CANARY_AUTH_MODE", "open");
            pb.environment().putAll(env);
            pb.environment().put("PORT", Integer.toString(port));
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            ServiceProcess s = new ServiceProcess(pb.start(), "http://127.0.0.1:" + port, log);
            s.await(jvmArgs.contains(LIVE_ONLY) ? "/q/health/live" : "/q/health/ready");
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url() {
        return url;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, as a node failure or OOM kill. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Pass as a JVM argument to return once the service is alive, ready or not. */
    public static final String LIVE_ONLY = "-Dcanary.test.await=live";

    /** The status of a GET on {@code path}, or -1 when the service does not answer. */
    public int status(String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    private void await(String health) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited; log " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + health)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("service not ready within 60 s; log " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
