package io.canaryjudge.judge.sequential;

import java.util.Arrays;

/**
 * How much higher the canary runs than stable, in the metric's own units: the weighted geometric mean over intervals
 * of the canary/stable median ratio of each interval (weights n_c·n_s/(n_c + n_s)). Each ratio compares the cohorts
 * inside one interval, so drift shared by both cancels as it does in the rank test. For display only; decisions
 * come from the e-processes. Histogram medians are interpolated within their bucket in log scale (linearly in the
 * first bucket); a median in the +Inf bucket, or a non-positive one, leaves the interval out.
 */
public record ShiftEstimate(double sumLogRatio, double weight, int intervals) {

    public static final ShiftEstimate NONE = new ShiftEstimate(0, 0, 0);

    public ShiftEstimate {
        if (!(weight >= 0) || intervals < 0) {
            throw new IllegalArgumentException("weight and intervals must be >= 0");
        }
    }

    /** The canary/stable ratio of levels, NaN before an interval with a positive median in both cohorts. */
    public double ratio() {
        return weight > 0 ? Math.exp(sumLogRatio / weight) : Double.NaN;
    }

    public ShiftEstimate addSamples(double[] canary, double[] stable) {
        return add(median(canary), median(stable), canary == null ? 0 : canary.length,
            stable == null ? 0 : stable.length);
    }

    public ShiftEstimate addHistogram(double[] bounds, long[] canary, long[] stable) {
        return add(median(bounds, canary), median(bounds, stable), Arrays.stream(canary).sum(),
            Arrays.stream(stable).sum());
    }

    private ShiftEstimate add(double c, double s, double nc, double ns) {
        if (!(c > 0) || !(s > 0) || Double.isInfinite(c) || Double.isInfinite(s) || nc == 0 || ns == 0) {
            return this;
        }
        double w = nc * ns / (nc + ns);
        return new ShiftEstimate(sumLogRatio + w * Math.log(c / s), weight + w, intervals + 1);
    }

    static double median(double[] values) {
        if (values == null || values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }

    /** The interpolated median of per-bucket counts on {@code bounds} (finite upper edges, +Inf bucket last). */
    static double median(double[] bounds, long[] counts) {
        long total = Arrays.stream(counts).sum();
        if (total == 0) {
            return Double.NaN;
        }
        double half = total / 2.0;
        double below = 0;
        for (int b = 0; b < counts.length; b++) {
            if (below + counts[b] >= half && counts[b] > 0) {
                if (b >= bounds.length) {
                    return Double.NaN; // in the +Inf bucket: no upper edge to interpolate to
                }
                double lo = b == 0 ? 0 : bounds[b - 1];
                double hi = bounds[b];
                double f = (half - below) / counts[b];
                return lo <= 0 ? lo + f * (hi - lo) : lo * Math.pow(hi / lo, f);
            }
            below += counts[b];
        }
        return Double.NaN;
    }
}
