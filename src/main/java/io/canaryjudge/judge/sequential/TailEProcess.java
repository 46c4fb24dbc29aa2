package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.Arrays;

/**
 * A slow tail: the share of requests above a high threshold, canary against stable, as counts
 * (docs/statistics.md, "The tail test"). The threshold of interval t is chosen before the interval — the bucket
 * boundary (or value) at the {@code quantile} of the pooled observations of interval t−1 — so within interval t
 * each request of either cohort is above it or not, and the counts above it out of each cohort's requests feed a
 * {@link CountRatioEProcess} with margins: ABORT when the canary's share above the threshold is shown larger than
 * the tolerance times stable's. Exact counts on histogram buckets (a boundary is where the counts are known), valid
 * under a traffic split that changes every interval and any drift shared by both cohorts (the threshold moves with
 * the data, the comparison is within the interval). It only aborts: a tail is too rare to rule anything out.
 *
 * @param quantile      the pooled quantile the next threshold is taken at (e.g. 0.99)
 * @param nextThreshold the threshold of the next interval; NaN before any data (the first interval only sets it)
 * @param counts        the count e-process on (canary above, stable above) out of (canary, stable) observations
 */
public record TailEProcess(double quantile, double nextThreshold, double lastThreshold, CountRatioEProcess counts)
    implements SequentialState {

    public TailEProcess {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("quantile not in (0, 1)");
        }
        if (counts == null) {
            throw new IllegalArgumentException("counts == null");
        }
        if (counts.direction() != Direction.INCREASE) {
            throw new IllegalArgumentException("a tail of slower requests: direction must be INCREASE");
        }
    }

    /** Before the first interval: no threshold yet. */
    public static TailEProcess start(double alpha, double sigma, double quantile, Margins margins) {
        return new TailEProcess(quantile, Double.NaN, Double.NaN,
            CountRatioEProcess.start(alpha, sigma, Direction.INCREASE, margins));
    }

    /** One interval of raw values: counts above the threshold chosen before it, then the next threshold. */
    public TailEProcess update(double[] canary, double[] stable) {
        double t = nextThreshold;
        CountRatioEProcess c = counts;
        if (!Double.isNaN(t)) {
            c = counts.update(new CountInterval(above(canary, t), above(stable, t), canary.length, stable.length));
        }
        double[] pooled = new double[canary.length + stable.length];
        System.arraycopy(canary, 0, pooled, 0, canary.length);
        System.arraycopy(stable, 0, pooled, canary.length, stable.length);
        double next = pooled.length == 0 ? nextThreshold : valueAt(pooled, quantile);
        return new TailEProcess(quantile, next, t, c);
    }

    /**
     * One interval of per-bucket counts on {@code bounds} (finite upper edges, +Inf last): the counts above the
     * threshold are those of the buckets whose lower edge is at or above it, exactly; the next threshold is the
     * smallest boundary with at most 1 − quantile of the interval's pooled observations above it.
     */
    public TailEProcess updateHistogram(double[] bounds, long[] canary, long[] stable) {
        double t = nextThreshold;
        CountRatioEProcess c = counts;
        long nc = Arrays.stream(canary).sum();
        long ns = Arrays.stream(stable).sum();
        if (!Double.isNaN(t)) {
            long ac = 0;
            long as = 0;
            for (int b = 1; b < canary.length; b++) {
                if (bounds[b - 1] >= t) { // bucket b is (bounds[b-1], bounds[b]]: all of it above t
                    ac += canary[b];
                    as += stable[b];
                }
            }
            c = counts.update(new CountInterval(ac, as, nc, ns));
        }
        double next = nextThreshold;
        long total = nc + ns;
        if (total > 0 && bounds.length > 0) {
            next = bounds[bounds.length - 1];
            long below = 0;
            for (int b = 0; b < bounds.length; b++) {
                below += canary[b] + stable[b];
                if (total - below <= (1 - quantile) * total) {
                    next = bounds[b];
                    break;
                }
            }
        }
        return new TailEProcess(quantile, next, t, c);
    }

    private static long above(double[] values, double threshold) {
        long n = 0;
        for (double v : values) {
            n += v > threshold ? 1 : 0;
        }
        return n;
    }

    /** The value at rank ⌈q·n⌉ of the sorted values. */
    private static double valueAt(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(q * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    @Override
    public double alpha() {
        return counts.alpha();
    }

    @Override
    public Direction direction() {
        return counts.direction();
    }

    @Override
    public int looks() {
        return counts.looks();
    }

    @Override
    public double logM() {
        return counts.logM();
    }

    @Override
    public double maxLogM() {
        return counts.maxLogM();
    }

    @Override
    public String test() {
        return "tail count e-process";
    }
}
