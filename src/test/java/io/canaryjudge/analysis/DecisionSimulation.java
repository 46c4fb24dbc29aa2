package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.TemplateParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Monte Carlo of whole analyses: synthetic request streams per one-minute interval (Poisson traffic, Bernoulli
 * errors, lognormal latencies bucketed like Prometheus histograms) fed through the real decision code
 * ({@link SequentialStep}, extensions included) with a shipped template. Each replicate also runs the rule before
 * margins (tolerance 0, no power requirement, no early promote) on the same data, for time-to-abort comparisons.
 *
 * <p>Run: {@code bash load-test/decision-simulation.sh [aaReps regReps threads]}; {@code DECISION_TEMPLATE=<file>} runs a
 * variant of the template (same name) instead. Seeds: scenario base + replicate.
 */
public final class DecisionSimulation {

    /** Prometheus client defaults (×2–2.5 apart). */
    static final double[] COARSE = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Micrometer's percentile-histogram buckets of a timer between 1 ms and 30 s (9–33 % apart). */
    static final double[] FINE = micrometer();

    private DecisionSimulation() {
    }

    /**
     * One scenario. Per interval t (0-based): total requests per second, the canary's share, the shared drift of the
     * error rate and latency, and the canary's own error and latency factors and slow tail.
     */
    record Scenario(String name, boolean healthy, long seed, double rps, double[] share, double errorRate,
                    double errorFactor, double latencyFactor, double tailShare, double tailFactor, double drift,
                    double[] buckets, double cpuFactor) {
        double shareAt(int t) {
            return share[Math.min(t, share.length - 1)];
        }

        double driftAt(int t, double period) {
            return 1 + drift * Math.sin(2 * Math.PI * t / period);
        }
    }

    /** The end of one analysis: verdict, intervals run, and whether cpu-per-request was flagged before the end. */
    record End(Verdict verdict, int intervals, boolean cpuFlagged) {
        End(Verdict verdict, int intervals) {
            this(verdict, intervals, false);
        }
    }

    static double[] even() {
        return new double[] {0.5};
    }

    static double[] ramp() {
        return new double[] {0.05, 0.1, 0.2, 0.3, 0.4, 0.5};
    }

    public static void main(String[] args) throws Exception {
        int aaReps = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int regReps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        // DECISION_TEMPLATE=<file>: a variant of http-golden-signals (other margins or sigma), same name
        String variant = System.getenv("DECISION_TEMPLATE");
        AnalysisTemplate template = variant == null ? shipped("http-golden-signals")
            : TemplateParser.parse(variant, Files.readAllBytes(Path.of(variant)));
        AnalysisTemplate before = withoutMargins(template);
        List<Scenario> scenarios = scenarios();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        System.out.printf(Locale.ROOT, "Decision simulation: template %s (count %d, maxCount %d), %d healthy and %d "
            + "regression replicates, %d threads%n%n", template.name(), template.count(),
            template.sequential().maxIntervals(template.count()), aaReps, regReps, threads);
        System.out.println("| scenario | reps | ABORT | PROMOTE | INCONCLUSIVE | minutes to ABORT, median (IQR) | "
            + "minutes to PROMOTE, median | rule before margins: ABORT, minutes | cpu-per-request flagged "
            + "| errors: best possible test, minutes |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        try {
            for (Scenario s : scenarios) {
                int reps = s.healthy() ? aaReps : regReps;
                List<Future<End[]>> futures = new ArrayList<>();
                for (int r = 0; r < reps; r++) {
                    long seed = s.seed() + r;
                    futures.add(pool.submit(() -> run(s, template, before, new Well19937c(seed))));
                }
                List<End> now = new ArrayList<>();
                List<End> old = new ArrayList<>();
                List<End> best = new ArrayList<>();
                for (Future<End[]> f : futures) {
                    End[] e = f.get();
                    now.add(e[0]);
                    old.add(e[1]);
                    best.add(e[2]);
                }
                System.out.println(row(s, now, old, best));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static List<Scenario> scenarios() {
        return List.of(
            new Scenario("A/A, 40 req/s, fine buckets", true, 1_000_000, 40, even(), 0.01, 1, 1, 0, 1, 0, FINE, 1),
            new Scenario("A/A, Argo ramp 5→50 % + shared drift ±30 %, coarse buckets", true, 2_000_000, 40, ramp(),
                0.01, 1, 1, 0, 1, 0.3, COARSE, 1),
            new Scenario("A/A, 600 req/s, fine buckets", true, 3_000_000, 600, even(), 0.01, 1, 1, 0, 1, 0, FINE, 1),
            new Scenario("within tolerance at 600 req/s: latency +2 %, errors +5 %", true, 4_000_000, 600, even(), 0.01,
                1.05, 1.02, 0, 1, 0, FINE, 1),
            new Scenario("A/A, 4 req/s (low traffic)", true, 5_000_000, 4, even(), 0.01, 1, 1, 0, 1, 0, FINE, 1),
            new Scenario("errors ×2, 40 req/s", false, 6_000_000, 40, even(), 0.01, 2, 1, 0, 1, 0, FINE, 1),
            new Scenario("errors ×3, 4 req/s (low traffic)", false, 7_000_000, 4, even(), 0.01, 3, 1, 0, 1, 0, FINE, 1),
            new Scenario("errors ×2, 4 req/s (low traffic)", false, 8_000_000, 4, even(), 0.01, 2, 1, 0, 1, 0, FINE, 1),
            new Scenario("latency +30 %, 40 req/s, fine buckets", false, 9_000_000, 40, even(), 0.01, 1, 1.3, 0, 1, 0,
                FINE, 1),
            new Scenario("latency +30 %, 40 req/s, coarse buckets", false, 10_000_000, 40, even(), 0.01, 1, 1.3, 0, 1,
                0, COARSE, 1),
            new Scenario("slow tail: 5 % of canary requests ×5, 40 req/s", false, 11_000_000, 40, even(), 0.01, 1, 1,
                0.05, 5, 0, FINE, 1),
            // informative: flagged (the CPU column), never decides; the verdict follows errors and latency
            new Scenario("CPU per request +50 %, 40 req/s (informative metric)", true, 12_000_000, 40, even(), 0.01, 1,
                1, 0, 1, 0, FINE, 1.5));
    }

    /** One replicate: the same data through the template and through the rule before margins. */
    static End[] run(Scenario s, AnalysisTemplate t, AnalysisTemplate before, RandomGenerator rng) {
        Map<String, SequentialStep.MetricState> now = Map.of();
        Map<String, SequentialStep.MetricState> old = Map.of();
        End endNow = null;
        End endOld = null;
        End endOracle = null;
        double oracle = 0;
        double tolerance = t.metrics().stream().filter(m -> m.name().equals("error-rate")).findFirst().orElseThrow()
            .margins().tolerance();
        double threshold = Math.log(1 / t.sequential().alpha());
        int totalNow = t.count();
        int totalOld = before.count();
        int max = Math.max(t.sequential().maxIntervals(t.count()), before.sequential().maxIntervals(before.count()));
        boolean oracleRuns = s.errorFactor() > tolerance;
        for (int seq = 1; seq <= max && (endNow == null || endOld == null || oracleRuns && endOracle == null); seq++) {
            List<Observation> obs = interval(s, seq - 1, rng);
            if (oracleRuns && endOracle == null) {
                oracle += oracleStep(obs.get(0), s.errorFactor(), tolerance);
                endOracle = oracle >= threshold ? new End(Verdict.ABORT, seq) : null;
            }
            if (endNow == null) {
                SequentialStep.StepOutcome o = SequentialStep.step(t, now, obs, seq, totalNow, totalNow - t.count());
                now = o.states();
                totalNow += o.kind() == Lifecycle.Decision.Kind.EXTEND ? 1 : 0;
                endNow = o.kind() == Lifecycle.Decision.Kind.FINISH ? new End(o.verdict(), seq,
                    SequentialStep.aborting(now.get("cpu-per-request"))) : null;
            }
            if (endOld == null) {
                SequentialStep.StepOutcome o = SequentialStep.step(before, old, obs, seq, totalOld,
                    totalOld - before.count());
                old = o.states();
                totalOld += o.kind() == Lifecycle.Decision.Kind.EXTEND ? 1 : 0;
                endOld = o.kind() == Lifecycle.Decision.Kind.FINISH ? new End(o.verdict(), seq) : null;
            }
        }
        return new End[] {endNow, endOld, endOracle == null ? new End(Verdict.INCONCLUSIVE, max) : endOracle};
    }

    /**
     * One interval of the best test there can be for "errors worse than tolerance": Wald's sequential probability
     * ratio test that knows the true ratio r (ln of the likelihood ratio of r against the null's boundary, given the
     * interval's total errors, as our count test is). No valid test reaches ln(1/α) sooner on average (Wald &amp;
     * Wolfowitz 1948), so its median minutes bound what any error tolerance can cost in time to abort.
     */
    static double oracleStep(Observation errors, double r, double tolerance) {
        double yc = errors.canary().events();
        double n = yc + errors.stable().events();
        double q = errors.canary().exposure() / (errors.canary().exposure() + errors.stable().exposure());
        double t1 = q * r / (q * r + 1 - q);
        double t0 = q * tolerance / (q * tolerance + 1 - q);
        return yc * Math.log(t1 / t0) + (n - yc) * Math.log((1 - t1) / (1 - t0));
    }

    /** One minute of the four metrics of http-golden-signals for both cohorts (drift shared by both). */
    static List<Observation> interval(Scenario s, int t, RandomGenerator rng) {
        double seconds = 60;
        double q = s.shareAt(t);
        double rps = s.rps() * s.driftAt(t, 10);
        long nc = poisson(rng, rps * q * seconds);
        long ns = poisson(rng, rps * (1 - q) * seconds);
        double p = s.errorRate() * s.driftAt(t, 7);
        long ec = binomial(rng, nc, Math.min(1, p * s.errorFactor()));
        long es = binomial(rng, ns, p);
        double median = 0.1 * s.driftAt(t, 9);
        Buckets hc = histogram(rng, nc, median * s.latencyFactor(), s.tailShare(), s.tailFactor(), s.buckets());
        Buckets hs = histogram(rng, ns, median, 0, 1, s.buckets());
        Observation errors = new Observation("error-rate",
            new Observation.CohortData(List.of(), new double[0], new double[0], (double) ec, (double) nc),
            new Observation.CohortData(List.of(), new double[0], new double[0], (double) es, (double) ns), null);
        Observation latency = new Observation("latency",
            new Observation.CohortData(List.of(), new double[0], new double[0], null, null, hc),
            new Observation.CohortData(List.of(), new double[0], new double[0], null, null, hs), null);
        double[] times = {t * 60 + 30, t * 60 + 60};
        return List.of(errors, latency, points("cpu-per-request", rng, 0.008 * s.driftAt(t, 5), s.cpuFactor(), times),
            points("memory-working-set", rng, 2e8 * s.driftAt(t, 11), 1, times));
    }

    /**
     * Two query points per cohort (a 30 s step over one minute) at the same timestamps: stable's level × lognormal
     * noise (5 %, many pods), the canary's × factor with 10 % (one pod).
     */
    private static Observation points(String name, RandomGenerator rng, double level, double factor, double[] times) {
        double[] c = {level * factor * Math.exp(0.1 * rng.nextGaussian()),
            level * factor * Math.exp(0.1 * rng.nextGaussian())};
        double[] s = {level * Math.exp(0.05 * rng.nextGaussian()), level * Math.exp(0.05 * rng.nextGaussian())};
        return new Observation(name, new Observation.CohortData(List.of(), c, times, null, null),
            new Observation.CohortData(List.of(), s, times, null, null), null);
    }

    /** n latencies median × LogNormal(0, 0.5), a share of them × tailFactor, as cumulative le counts (+Inf last). */
    static Buckets histogram(RandomGenerator rng, long n, double median, double tailShare, double tailFactor,
                             double[] bounds) {
        double[] le = Arrays.copyOf(bounds, bounds.length + 1);
        le[bounds.length] = Double.POSITIVE_INFINITY;
        double[] counts = new double[le.length];
        for (long i = 0; i < n; i++) {
            double v = median * Math.exp(0.5 * rng.nextGaussian());
            if (tailShare > 0 && rng.nextDouble() < tailShare) {
                v *= tailFactor;
            }
            int b = Arrays.binarySearch(bounds, v);
            counts[b >= 0 ? b : -b - 1]++;
        }
        for (int i = 1; i < counts.length; i++) {
            counts[i] += counts[i - 1];
        }
        return new Buckets(le, counts);
    }

    private static long poisson(RandomGenerator rng, double mean) {
        return mean <= 0 ? 0 : new PoissonDistribution(rng, mean, 1e-12, 10_000).sample();
    }

    private static long binomial(RandomGenerator rng, long n, double p) {
        return n == 0 || p <= 0 ? 0 : new BinomialDistribution(rng, (int) n, p).sample();
    }

    static AnalysisTemplate shipped(String name) throws IOException {
        Path p = Path.of("analysis-templates", name + ".yaml");
        return TemplateParser.parse(p.getFileName().toString(), Files.readAllBytes(p));
    }

    /**
     * The same template judged as before margins: tolerance 0, no early PROMOTE, no extension beyond count (PROMOTE
     * is not reported for it), and a detectable regression just above "no change", so the count tests weigh their
     * alternatives half-normally around "no change" as they did then.
     */
    static AnalysisTemplate withoutMargins(AnalysisTemplate t) throws IOException {
        Path p = Path.of("analysis-templates", t.name() + ".yaml");
        String yaml = Files.readString(p)
            .replaceAll("tolerance: \\{relative: [0-9.]+}", "tolerance: {relative: 0}")
            .replaceAll("detectable: \\{relative: [0-9.]+}", "detectable: {relative: 0.001}")
            .replaceAll("maxCount: [0-9]+", "maxCount: " + t.count())
            .replace("earlyPromote: true", "earlyPromote: false");
        return TemplateParser.parse(t.name() + "-before-margins.yaml", yaml.getBytes());
    }

    static String row(Scenario s, List<End> now, List<End> old, List<End> best) {
        int n = now.size();
        long aborts = now.stream().filter(e -> e.verdict() == Verdict.ABORT).count();
        long promotes = now.stream().filter(e -> e.verdict() == Verdict.PROMOTE).count();
        long other = n - aborts - promotes;
        long oldAborts = old.stream().filter(e -> e.verdict() == Verdict.ABORT).count();
        long cpu = now.stream().filter(End::cpuFlagged).count();
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s, %s | %s | %s |", s.name(), n,
            rate(aborts, n), rate(promotes, n), rate(other, n), quartiles(now, Verdict.ABORT),
            median(now, Verdict.PROMOTE), rate(oldAborts, n), quartiles(old, Verdict.ABORT), rate(cpu, n),
            quartiles(best, Verdict.ABORT));
    }

    /** A rate with its binomial Monte Carlo standard error. */
    static String rate(long k, int n) {
        double p = k / (double) n;
        return String.format(Locale.ROOT, "%.1f %% ± %.1f", 100 * p, 100 * Math.sqrt(p * (1 - p) / n));
    }

    private static String quartiles(List<End> ends, Verdict v) {
        int[] m = ends.stream().filter(e -> e.verdict() == v).mapToInt(End::intervals).sorted().toArray();
        if (m.length == 0) {
            return "–";
        }
        return m[m.length / 2] + " (" + m[m.length / 4] + "–" + m[(3 * m.length) / 4] + ")";
    }

    private static String median(List<End> ends, Verdict v) {
        int[] m = ends.stream().filter(e -> e.verdict() == v).mapToInt(End::intervals).sorted().toArray();
        return m.length == 0 ? "–" : String.valueOf(m[m.length / 2]);
    }

    /** Micrometer's PercentileHistogramBuckets (nanoseconds, 4^k steps split in thirds) within 1 ms–30 s. */
    private static double[] micrometer() {
        List<Double> out = new ArrayList<>();
        for (long i = 1; i < 4; i++) {
            add(out, i);
        }
        for (int exp = 2; exp < 62; exp += 2) {
            long current = 1L << exp;
            long delta = current / 3;
            long next = (current << 2) - delta;
            while (current < next) {
                add(out, current);
                current += delta;
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void add(List<Double> out, long nanos) {
        if (nanos >= 1_000_000 && nanos <= 30_000_000_000L) {
            out.add(nanos / 1e9);
        }
    }
}
