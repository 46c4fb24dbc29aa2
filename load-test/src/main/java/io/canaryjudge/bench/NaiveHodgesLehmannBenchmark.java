package io.canaryjudge.bench;

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
 * The textbook Hodges-Lehmann: materialise all n·m differences and sort them (what R's exact branch
 * does with {@code sort(outer(x, y, "-"))}). Only n = 10^4: that is already 10^8 doubles (800 MB);
 * at 10^5 it would be 10^10 doubles (80 GB), which cannot run, hence no 10^5 parameter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g"})
public class NaiveHodgesLehmannBenchmark {

    @Param({"10000"})
    public int n;

    @Param({"false", "true"})
    public boolean ties;

    private double[] canary;
    private double[] stable;

    @Setup(Level.Trial)
    public void data() {
        SplittableRandom random = new SplittableRandom(42);
        canary = new double[n];
        stable = new double[n];
        for (int i = 0; i < n; i++) {
            double c = 102 - 20 * Math.log(1 - random.nextDouble());
            double s = 100 - 20 * Math.log(1 - random.nextDouble());
            canary[i] = ties ? Math.rint(c) : c;
            stable[i] = ties ? Math.rint(s) : s;
        }
    }

    @Benchmark
    public double naivePairwiseMedian() {
        double[] d = new double[n * n];
        int p = 0;
        for (double x : canary) {
            for (double y : stable) {
                d[p++] = x - y;
            }
        }
        Arrays.sort(d);
        int half = d.length / 2;
        return (d[half - 1] + d[half]) / 2;
    }
}
