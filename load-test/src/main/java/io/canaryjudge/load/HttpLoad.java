package io.canaryjudge.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop HTTP load: {@code concurrency} clients each send requests back to back for {@code seconds} and the
 * latencies are reported as p50/p99, for a target URL and a baseline URL measured in the same run, one after the
 * other with the same settings. Usage: {@code HttpLoad <target-url> <baseline-url> <concurrency> <seconds>};
 * a {@code {n}} in the target URL is replaced by a random number below 1000 per request (a random service).
 */
public final class HttpLoad {
    private HttpLoad() {
    }

    record Result(String url, long requests, long errors, double p50Ms, double p99Ms, double perSecond,
                  double serviceCpuUs) {
    }

    /** With -Dservice.pid=<pid> (Linux), the service's CPU time (user + system, clock ticks of 10 ms) so far. */
    private static long serviceCpuMillis() {
        String pid = System.getProperty("service.pid");
        if (pid == null) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // fields 14 and 15, USER_HZ = 100
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        String target = args[0];
        String baseline = args[1];
        int concurrency = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        run(baseline, concurrency, 3); // warm-up of both paths
        run(target, concurrency, 3);
        Result b = run(baseline, concurrency, seconds);
        Result t = run(target, concurrency, seconds);
        System.out.printf("%-60s %9s %7s %9s %9s %9s %12s%n", "url", "requests", "errors", "p50 ms", "p99 ms", "req/s",
                "svc CPU µs/req");
        for (Result r : List.of(b, t)) {
            System.out.printf("%-60s %9d %7d %9.2f %9.2f %9.0f %12.0f%n",
                    r.url().length() > 60 ? r.url().substring(0, 60) : r.url(),
                    r.requests(), r.errors(), r.p50Ms(), r.p99Ms(), r.perSecond(), r.serviceCpuUs());
        }
        System.out.printf("p99 ratio target/baseline = %.2f (goal <= 2), p50 ratio = %.2f%n", t.p99Ms() / b.p99Ms(),
                t.p50Ms() / b.p50Ms());
    }

    /** Daemon threads: the JVM ends when main does (the script runs one comparison per concurrency level). */
    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "http-load");
        t.setDaemon(true);
        return t;
    }

    static Result run(String url, int concurrency, int seconds) throws Exception {
        // HTTP/1.1 as a plain-HTTP client speaks it (the default HTTP/2 sends an h2c upgrade on every new connection)
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(2, HttpLoad::daemon)).build();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, HttpLoad::daemon);
        long cpu0 = serviceCpuMillis();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        AtomicLong errors = new AtomicLong();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            futures.add(pool.submit(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    String u = url.replace("{n}", Integer.toString(ThreadLocalRandom.current().nextInt(1000)));
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        // a lost response must not hang the run: it counts as an error at its timeout
                        status = http.send(HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (java.io.IOException e) {
                        status = -1;
                    }
                    long dt = System.nanoTime() - t0;
                    if (status != 200) {
                        errors.incrementAndGet();
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
        long cpu1 = serviceCpuMillis();
        long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(url, all.length, errors.get(), all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                all.length / (double) seconds, cpu0 < 0 ? Double.NaN : (cpu1 - cpu0) * 1000.0 / Math.max(1, all.length));
    }
}
