package io.canaryjudge.bench;

import io.canaryjudge.judge.Alternative;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.MetricJudge;
import io.canaryjudge.judge.MetricKind;
import io.canaryjudge.judge.MetricSpec;
import io.canaryjudge.judge.MannWhitney;
import io.canaryjudge.judge.Sample;
import io.canaryjudge.judge.Tolerance;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.BetaBinomialLM;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Monte Carlo of the simulation protocol in BENCHMARKS.md: 30 looks of 30 s; a replicate alarms at the first look where a
 * method fires. Sequential tests (α = 0.05) against fixed-horizon tests re-run on the growing window
 * (the judge's own exact binomial counts test and MannWhitney), all on the same simulated data.
 *
 * <p>Run: {@code java -cp target/benchmarks.jar io.canaryjudge.bench.SequentialSimulation [aaReps regReps threads]}.
 * Seeds: scenario base + replicate index, so results do not depend on the thread count.
 */
public final class SequentialSimulation {

    static final int LOOKS = 30;
    static final double ALPHA = 0.05;
    static final int NEVER = Integer.MAX_VALUE;

    private SequentialSimulation() {
    }

    /** One scenario: its name, seed base, and the per-replicate run giving each method's first alarm. */
    record Scenario(String name, long seedBase, boolean aa, Replicate run) {
    }

    interface Replicate {
        Map<String, Integer> run(RandomGenerator rng);
    }

    public static void main(String[] args) throws Exception {
        int aaReps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int regReps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        List<Scenario> scenarios = List.of(
            new Scenario("C-AA", 1_000_000, true, rng -> counts(rng, 0.01, false)),
            new Scenario("C-AA-var", 2_000_000, true, rng -> counts(rng, 0.01, true)),
            new Scenario("C-REG (x2)", 3_000_000, false, rng -> counts(rng, 0.02, false)),
            new Scenario("L-AA", 4_000_000, true, rng -> latency(rng, 1.0)),
            new Scenario("L-REG (+20 %)", 5_000_000, false, rng -> latency(rng, 1.20)),
            new Scenario("L-REG5 (+5 %)", 6_000_000, false, rng -> latency(rng, 1.05)));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        System.out.printf(Locale.ROOT, "Sequential judging simulation: %d A/A and %d regression replicates, %d looks, "
            + "alpha %.2f, %d threads%n%n", aaReps, regReps, LOOKS, ALPHA, threads);
        try {
            for (Scenario s : scenarios) {
                long t0 = System.nanoTime();
                int reps = s.aa() ? aaReps : regReps;
                List<Future<Map<String, Integer>>> futures = new ArrayList<>();
                for (int r = 0; r < reps; r++) {
                    long seed = s.seedBase() + r;
                    futures.add(pool.submit(() -> s.run().run(new Well19937c(seed))));
                }
                Map<String, int[]> alarms = new LinkedHashMap<>();
                for (int r = 0; r < reps; r++) {
                    Map<String, Integer> result = futures.get(r).get();
                    int rep = r;
                    result.forEach((method, look) -> alarms.computeIfAbsent(method, k -> new int[reps])[rep] = look);
                }
                print(s, reps, alarms, (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    // ---- counts: Poisson(300) requests per cohort per interval, each failing independently ----

    static Map<String, Integer> counts(RandomGenerator rng, double canaryRate, boolean varying) {
        CountRatioEProcess seq = CountRatioEProcess.start(ALPHA, 0.5, Direction.INCREASE);
        BetaBinomialLM lm = BetaBinomialLM.start(ALPHA, 0.5, Direction.INCREASE);
        MetricJudge judge = new MetricJudge();
        MetricSpec binomSpec = MetricSpec.builder("errors", MetricKind.COUNTS).direction(Direction.INCREASE)
            .tolerance(Tolerance.none()).confidenceLevel(1 - ALPHA).build();
        MannWhitney mw = MannWhitney.withDefaults().with(Alternative.GREATER).withConfidenceLevel(1 - ALPHA);
        Map<String, Integer> first = new LinkedHashMap<>();
        long cumYc = 0;
        long cumYs = 0;
        double cumEc = 0;
        double cumEs = 0;
        List<Double> canaryRates = new ArrayList<>();
        List<Double> stableRates = new ArrayList<>();
        for (int t = 1; t <= LOOKS; t++) {
            double canaryMean = 300;
            double stableMean = 300;
            double base = 0.01;
            double rate = canaryRate;
            if (varying) {
                // C-AA-var: canary share 5 % -> 50 %, traffic ±50 % (period 10), base rate ±50 % (period 7).
                double share = 0.05 + 0.45 * (t - 1) / (LOOKS - 1.0);
                double total = 600 * (1 + 0.5 * Math.sin(2 * Math.PI * t / 10));
                canaryMean = total * share;
                stableMean = total * (1 - share);
                base = 0.01 * (1 + 0.5 * Math.sin(2 * Math.PI * t / 7));
                rate = base * canaryRate / 0.01;
            }
            long ec = poisson(rng, canaryMean);
            long es = poisson(rng, stableMean);
            long yc = binomial(rng, ec, rate);
            long ys = binomial(rng, es, base);
            seq = seq.update(new CountInterval(yc, ys, ec, es));
            mark(first, "seq_ratio (count e-process, sigma 0.5)", t, seq.crossed());
            if (!varying) {
                lm = lm.update(yc, ys);
                mark(first, "lm_bb (beta-binomial, k 11.6)", t, lm.crossed());
            }
            cumYc += yc;
            cumYs += ys;
            cumEc += ec;
            cumEs += es;
            boolean binom = judge.judge(binomSpec, new Sample.Counts(cumYc, cumEc, cumYs, cumEs)).classification()
                == Classification.HIGH;
            mark(first, "binom_fixed (exact binomial, cumulative, re-run)", t, binom);
            if (ec > 0 && es > 0) {
                canaryRates.add((double) yc / ec);
                stableRates.add((double) ys / es);
            }
            boolean mw1 = !canaryRates.isEmpty()
                && mw.compare(toArray(canaryRates), toArray(stableRates)).pValue() < ALPHA;
            mark(first, "mw1 (MW one-sided 95 % on rate series, re-run)", t, mw1);
        }
        return first;
    }

    // ---- latency: 300 samples per cohort per interval, 100 ms x LogNormal(0, 0.5) ----

    static Map<String, Integer> latency(RandomGenerator rng, double factor) {
        BatchRankEProcess rank = BatchRankEProcess.start(ALPHA, 0.5, Direction.INCREASE);
        RankZMixture z = RankZMixture.start(ALPHA, 5, Direction.INCREASE);
        QuantileEProcess p50 = QuantileEProcess.start(ALPHA, 0.5, 3000, Direction.EITHER);
        QuantileEProcess p99 = QuantileEProcess.start(ALPHA, 0.99, 3000, Direction.EITHER);
        MannWhitney mw = MannWhitney.withDefaults().with(Alternative.GREATER).withConfidenceLevel(1 - ALPHA);
        Map<String, Integer> first = new LinkedHashMap<>();
        double[] allCanary = new double[0];
        double[] allStable = new double[0];
        double[] canaryMeans = new double[LOOKS];
        double[] stableMeans = new double[LOOKS];
        for (int t = 1; t <= LOOKS; t++) {
            double[] c = lognormal(rng, 300, factor);
            double[] s = lognormal(rng, 300, 1.0);
            rank = rank.update(c, s);
            mark(first, "batch_rank (exact, tau 0.5)", t, rank.crossed());
            z = z.update(c, s);
            mark(first, "batch_z (fast mode, asymptotic)", t, z.crossed());
            if (pending(first, "hr_p50 (Howard-Ramdas p50)")) {
                p50 = p50.update(c, s);
                mark(first, "hr_p50 (Howard-Ramdas p50)", t, p50.crossed());
            }
            if (pending(first, "hr_p99 (Howard-Ramdas p99)")) {
                p99 = p99.update(c, s);
                mark(first, "hr_p99 (Howard-Ramdas p99)", t, p99.crossed());
            }
            allCanary = concat(allCanary, c);
            allStable = concat(allStable, s);
            if (pending(first, "mw1_raw (MW one-sided on all raw samples, re-run)")) {
                mark(first, "mw1_raw (MW one-sided on all raw samples, re-run)", t,
                    mw.compare(allCanary, allStable).pValue() < ALPHA);
            }
            canaryMeans[t - 1] = Arrays.stream(c).average().orElseThrow();
            stableMeans[t - 1] = Arrays.stream(s).average().orElseThrow();
            mark(first, "mw1_series (MW one-sided on interval means, re-run)", t,
                mw.compare(Arrays.copyOf(canaryMeans, t), Arrays.copyOf(stableMeans, t)).pValue() < ALPHA);
        }
        return first;
    }

    /** Later looks no longer matter once a method has alarmed: skip the expensive ones. */
    private static boolean pending(Map<String, Integer> first, String method) {
        return first.getOrDefault(method, NEVER) == NEVER;
    }

    private static void mark(Map<String, Integer> first, String method, int t, boolean alarm) {
        first.putIfAbsent(method, NEVER);
        if (alarm && first.get(method) == NEVER) {
            first.put(method, t);
        }
    }

    private static long poisson(RandomGenerator rng, double mean) {
        return new PoissonDistribution(rng, mean, PoissonDistribution.DEFAULT_EPSILON,
            PoissonDistribution.DEFAULT_MAX_ITERATIONS).sample();
    }

    private static long binomial(RandomGenerator rng, long n, double p) {
        long k = 0;
        for (long i = 0; i < n; i++) {
            if (rng.nextDouble() < p) {
                k++;
            }
        }
        return k;
    }

    private static double[] lognormal(RandomGenerator rng, int n, double factor) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 100 * factor * Math.exp(0.5 * rng.nextGaussian());
        }
        return v;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // ---- reporting ----

    private static void print(Scenario s, int reps, Map<String, int[]> alarms, double seconds) {
        System.out.printf(Locale.ROOT, "### %s (%d replicates, %.1f s)%n%n", s.name(), reps, seconds);
        if (s.aa()) {
            System.out.println("| method | false alarms within 30 looks | ± 1 SE |");
            System.out.println("|---|---|---|");
        } else {
            System.out.println("| method | detected within 30 | median detection interval (IQR) | 95 % CI of the median |");
            System.out.println("|---|---|---|---|");
        }
        for (Map.Entry<String, int[]> e : alarms.entrySet()) {
            int[] looks = e.getValue().clone();
            Arrays.sort(looks);
            long hits = Arrays.stream(looks).filter(l -> l != NEVER).count();
            double rate = (double) hits / reps;
            double se = Math.sqrt(rate * (1 - rate) / reps);
            if (s.aa()) {
                System.out.printf(Locale.ROOT, "| %s | %.1f %% | %.1f pp |%n", e.getKey(), 100 * rate, 100 * se);
            } else {
                // Distribution-free CI for the median: order statistics n/2 ± 1.96·√n/2.
                int lo = (int) Math.floor(reps / 2.0 - 1.96 * Math.sqrt(reps) / 2);
                int hi = (int) Math.ceil(reps / 2.0 + 1.96 * Math.sqrt(reps) / 2);
                System.out.printf(Locale.ROOT, "| %s | %.1f %% | %s (%s–%s) | %s–%s |%n", e.getKey(), 100 * rate,
                    at(looks, 0.5), at(looks, 0.25), at(looks, 0.75), show(looks[Math.max(lo, 0)]),
                    show(looks[Math.min(hi, reps - 1)]));
            }
        }
        System.out.println();
    }

    /** Lower empirical quantile; undetected replicates count as later than every look. */
    private static String at(int[] sorted, double p) {
        return show(sorted[(int) Math.ceil(p * sorted.length) - 1]);
    }

    private static String show(int look) {
        return look == NEVER ? "> 30" : String.valueOf(look);
    }
}
