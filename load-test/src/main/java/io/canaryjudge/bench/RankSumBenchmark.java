package io.canaryjudge.bench;

import io.canaryjudge.judge.Alternative;
import io.canaryjudge.judge.RankSumResult;
import io.canaryjudge.judge.MannWhitney;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The judge's rank-sum test (U, p, Hodges-Lehmann estimate and two-sided 95 % interval, asymptotic
 * as for any sample ≥ 50) against its lower bound, one {@code Arrays.sort} of the pooled values,
 * and against the naive O(n·m) Hodges-Lehmann (all differences, then select).
 *
 * <p>Data: latency-like canary = 100 + Exp(mean 20) + 2 and stable = 100 + Exp(mean 20); "ties"
 * rounds both to whole milliseconds (≈ 150 distinct values), the common Prometheus case.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class RankSumBenchmark {

    @Param({"10000", "100000"})
    public int n;

    @Param({"false", "true"})
    public boolean ties;

    private double[] canary;
    private double[] stable;
    private double[] pooled;
    private final MannWhitney test = MannWhitney.withDefaults().with(Alternative.TWO_SIDED);

    @Setup(Level.Trial)
    public void data() {
        SplittableRandom random = new SplittableRandom(42);
        canary = new double[n];
        stable = new double[n];
        for (int i = 0; i < n; i++) {
            canary[i] = value(random, 2);
            stable[i] = value(random, 0);
        }
        pooled = new double[2 * n];
        System.arraycopy(canary, 0, pooled, 0, n);
        System.arraycopy(stable, 0, pooled, n, n);
    }

    private double value(SplittableRandom random, double shift) {
        double v = 100 + shift - 20 * Math.log(1 - random.nextDouble());
        return ties ? Math.rint(v) : v;
    }

    @Benchmark
    public RankSumResult judgeRankSumWithInterval() {
        return test.compare(canary, stable);
    }

    @Benchmark
    public double[] sortPooledLowerBound() {
        double[] copy = pooled.clone();
        Arrays.sort(copy);
        return copy;
    }
}
