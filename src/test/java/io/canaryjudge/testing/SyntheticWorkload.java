package io.canaryjudge.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deterministic synthetic telemetry of HTTP services with a canary and a stable cohort, written as OpenMetrics
 * for {@code promtool tsdb create-blocks-from openmetrics}. Series follow the shipped http-golden-signals
 * template: request histogram {@code http_server_requests_seconds_*} with a {@code status} label and
 * {@code container_memory_working_set_bytes}. Cohorts are told apart by the {@code track} label.
 */
public final class SyntheticWorkload {
    public static final Duration SCRAPE = Duration.ofSeconds(15);
    static final double[] BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    /**
     * How one cohort behaves: requests per second, share of 5xx, median latency (lognormal), memory, and CPU seconds
     * per request served (±10 %), on top of {@link #IDLE_CPU_CORES} of idle CPU.
     */
    public record Profile(double rps, double errorRate, double medianLatencySeconds, double latencySigma,
                          long memoryBytes, long memoryJitterBytes, double cpuSecondsPerRequest) {
    }

    /** CPU a pod uses without traffic (GC, health checks): why per-request CPU is higher at less traffic per pod. */
    public static final double IDLE_CPU_CORES = 0.02;

    /** One service with its two cohorts. */
    public record Service(String namespace, String name, Profile stable, Profile canary) {
    }

    private final Instant from;
    private final Instant to;
    private final List<Service> services;
    private final Map<String, double[]> memory = new LinkedHashMap<>();
    /** Per cohort: cumulative request-histogram bucket counters (both statuses summed), [le][tick]. */
    private final Map<String, long[][]> bucketTotals = new LinkedHashMap<>();
    /** Per cohort and status ("200", "500"): the cumulative request counter per tick. */
    private final Map<String, long[]> requestCounts = new LinkedHashMap<>();

    public SyntheticWorkload(Instant from, Instant to, List<Service> services) {
        this.from = from;
        this.to = to;
        this.services = List.copyOf(services);
    }

    /** The memory samples written for a cohort, one per scrape from {@code from}: the exact backfilled values. */
    public double memoryAt(String namespace, String service, String track, Instant at) {
        if (memory.isEmpty()) {
            openMetrics();
        }
        long idx = Duration.between(from, at).toMillis() / SCRAPE.toMillis();
        return memory.get(namespace + "/" + service + "/" + track)[(int) idx];
    }

    /** The upper bucket edges written (the +Inf bucket comes after them). */
    public static double[] bucketBounds() {
        return BUCKETS.clone();
    }

    /**
     * The request-latency observations of a cohort in (from, to] per bucket (not cumulative; the last is +Inf),
     * both statuses: the exact differences of the backfilled counters at the two instants (scrape-aligned).
     */
    public long[] bucketIncrease(String namespace, String service, String track, Instant from, Instant to) {
        if (bucketTotals.isEmpty()) {
            openMetrics();
        }
        long[][] series = bucketTotals.get(namespace + "/" + service + "/" + track);
        int a = (int) (Duration.between(this.from, from).toMillis() / SCRAPE.toMillis());
        int b = (int) (Duration.between(this.from, to).toMillis() / SCRAPE.toMillis());
        long[] out = new long[series.length];
        long below = 0;
        for (int le = 0; le < series.length; le++) {
            long cumulative = series[le][b] - series[le][a];
            out[le] = cumulative - below;
            below = cumulative;
        }
        return out;
    }

    /**
     * Requests of a cohort in (from, to] with the given status, or of every status when {@code status} is null:
     * the exact differences of the backfilled {@code http_server_requests_seconds_count} counters.
     */
    public long requestIncrease(String namespace, String service, String track, String status, Instant from,
                                Instant to) {
        if (requestCounts.isEmpty()) {
            openMetrics();
        }
        int a = (int) (Duration.between(this.from, from).toMillis() / SCRAPE.toMillis());
        int b = (int) (Duration.between(this.from, to).toMillis() / SCRAPE.toMillis());
        long sum = 0;
        for (String s : status == null ? List.of("200", "500") : List.of(status)) {
            long[] c = requestCounts.get(namespace + "/" + service + "/" + track + "/" + s);
            sum += c[b] - c[a];
        }
        return sum;
    }

    public synchronized String openMetrics() {
        int ticks = (int) (Duration.between(from, to).toMillis() / SCRAPE.toMillis()) + 1;
        StringBuilder buckets = new StringBuilder();
        StringBuilder counts = new StringBuilder();
        StringBuilder sums = new StringBuilder();
        StringBuilder mem = new StringBuilder();
        StringBuilder cpu = new StringBuilder();
        long seed = 42;
        for (Service s : services) {
            for (String track : List.of("stable", "canary")) {
                Profile p = track.equals("stable") ? s.stable() : s.canary();
                Random rnd = new Random(seed++);
                String base = "namespace=\"" + s.namespace() + "\",service=\"" + s.name() + "\",track=\"" + track + "\"";
                // cumulative counters per status: bucket counts, count, sum
                Map<String, long[][]> bucketSeries = new LinkedHashMap<>();
                Map<String, long[]> countSeries = new LinkedHashMap<>();
                Map<String, double[]> sumSeries = new LinkedHashMap<>();
                for (String status : List.of("200", "500")) {
                    bucketSeries.put(status, new long[BUCKETS.length + 1][ticks]);
                    countSeries.put(status, new long[ticks]);
                    sumSeries.put(status, new double[ticks]);
                }
                double[] memValues = new double[ticks];
                double[] cpuValues = new double[ticks];
                double cpuAcc = 0;
                long[] bucketAcc200 = new long[BUCKETS.length + 1];
                long[] bucketAcc500 = new long[BUCKETS.length + 1];
                long[] countAcc = new long[2];
                double[] sumAcc = new double[2];
                for (int t = 0; t < ticks; t++) {
                    int requests = t == 0 ? 0 : poisson(rnd, p.rps() * SCRAPE.toSeconds());
                    for (int r = 0; r < requests; r++) {
                        boolean error = rnd.nextDouble() < p.errorRate();
                        double latency = p.medianLatencySeconds() * Math.exp(p.latencySigma() * rnd.nextGaussian());
                        long[] acc = error ? bucketAcc500 : bucketAcc200;
                        for (int b = 0; b < BUCKETS.length; b++) {
                            if (latency <= BUCKETS[b]) {
                                acc[b]++;
                            }
                        }
                        acc[BUCKETS.length]++;
                        countAcc[error ? 1 : 0]++;
                        sumAcc[error ? 1 : 0] += latency;
                    }
                    for (int b = 0; b <= BUCKETS.length; b++) {
                        bucketSeries.get("200")[b][t] = bucketAcc200[b];
                        bucketSeries.get("500")[b][t] = bucketAcc500[b];
                    }
                    countSeries.get("200")[t] = countAcc[0];
                    countSeries.get("500")[t] = countAcc[1];
                    sumSeries.get("200")[t] = sumAcc[0];
                    sumSeries.get("500")[t] = sumAcc[1];
                    cpuAcc += t == 0 ? 0 : IDLE_CPU_CORES * SCRAPE.toSeconds()
                            + requests * p.cpuSecondsPerRequest() * (0.9 + 0.2 * rnd.nextDouble());
                    cpuValues[t] = Math.round(cpuAcc * 1000) / 1000.0;
                    memValues[t] = p.memoryBytes() + (long) ((rnd.nextDouble() * 2 - 1) * p.memoryJitterBytes());
                }
                memory.put(s.namespace() + "/" + s.name() + "/" + track, memValues);
                long[][] totals = new long[BUCKETS.length + 1][ticks];
                for (int b = 0; b <= BUCKETS.length; b++) {
                    for (int t = 0; t < ticks; t++) {
                        totals[b][t] = bucketSeries.get("200")[b][t] + bucketSeries.get("500")[b][t];
                    }
                }
                bucketTotals.put(s.namespace() + "/" + s.name() + "/" + track, totals);
                for (String status : List.of("200", "500")) {
                    requestCounts.put(s.namespace() + "/" + s.name() + "/" + track + "/" + status,
                            countSeries.get(status).clone());
                }
                for (String status : List.of("200", "500")) {
                    String labels = base + ",status=\"" + status + "\"";
                    for (int b = 0; b <= BUCKETS.length; b++) {
                        String le = b == BUCKETS.length ? "+Inf" : Double.toString(BUCKETS[b]);
                        long[] series = bucketSeries.get(status)[b];
                        for (int t = 0; t < ticks; t++) {
                            line(buckets, "http_server_requests_seconds_bucket", labels + ",le=\"" + le + "\"", series[t], t);
                        }
                    }
                    for (int t = 0; t < ticks; t++) {
                        line(counts, "http_server_requests_seconds_count", labels, countSeries.get(status)[t], t);
                    }
                    for (int t = 0; t < ticks; t++) {
                        line(sums, "http_server_requests_seconds_sum", labels, sumSeries.get(status)[t], t);
                    }
                }
                String memLabels = base + ",pod=\"" + s.name() + "-" + track + "-0\",container=\"app\"";
                for (int t = 0; t < ticks; t++) {
                    line(mem, "container_memory_working_set_bytes", memLabels, memValues[t], t);
                }
                for (int t = 0; t < ticks; t++) {
                    line(cpu, "container_cpu_usage_seconds_total", memLabels, cpuValues[t], t);
                }
            }
        }
        return "# TYPE http_server_requests_seconds_bucket unknown\n" + buckets
                + "# TYPE http_server_requests_seconds_count unknown\n" + counts
                + "# TYPE http_server_requests_seconds_sum unknown\n" + sums
                + "# TYPE container_memory_working_set_bytes gauge\n" + mem
                + "# TYPE container_cpu_usage_seconds_total unknown\n" + cpu
                + "# EOF\n";
    }

    private void line(StringBuilder sb, String name, String labels, double value, int tick) {
        long ts = from.getEpochSecond() + tick * SCRAPE.toSeconds();
        sb.append(name).append('{').append(labels).append("} ");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(value);
        }
        sb.append(' ').append(ts).append('\n');
    }

    private static int poisson(Random rnd, double mean) {
        // normal approximation is enough for synthetic traffic of tens of requests per scrape
        if (mean > 30) {
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * rnd.nextGaussian()));
        }
        double l = Math.exp(-mean);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

}
