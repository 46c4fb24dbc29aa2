package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sequential sign test on the two cohorts' points taken at the same time (docs/statistics.md, "Levels read as a
 * few points: the paired sign test"). For metrics a query reads as one number per cohort per step — CPU seconds per
 * request, memory per pod — a rank test over 2 points per cohort per interval can never gather enough evidence
 * within an analysis; pairing the canary's and stable's values at each timestamp can: each pair is one bet that the
 * canary, divided by {@code scale} (the margin's level), is worse than stable.
 *
 * <p>Pair i contributes S_i = +1 when canary/scale is worse than stable (above for INCREASE), −1 when better, and
 * nothing on a tie. For one bet size λ ∈ [0, 1), ∏(1 + λ S_i) is a test supermartingale whenever, given the past,
 * P(S_i = +1) ≤ P(S_i = −1) — true under H0 ("the canary's level is at most scale × stable's") when the log ratio
 * of a pair's two values scatters symmetrically about its true value (two cohorts' independent noises of one shape;
 * drift shared by both cohorts at that moment cancels in the pair). The process is the average over a fixed grid of
 * λ (a mixture of test supermartingales is one), so Ville's inequality bounds the chance of ever crossing ln(1/α)
 * by α. All pairs worse: ln M ≥ ln 20 after 7 pairs, so 3.5 min at a 30 s step.
 *
 * @param scale  the canary is divided by it before comparing (1.1 = "more than 10 % worse")
 * @param worse  pairs where canary/scale was worse than stable
 * @param better pairs where it was better (ties count in neither)
 */
public record PairedSignEProcess(double alpha, Direction direction, double scale, int looks, int worse, int better,
                                 double logM, double maxLogM) implements SequentialState {

    /** Bet sizes λ_j = (j − ½)/GRID, j = 1..GRID: close to the uniform mixture on [0, 1). */
    static final int GRID = 20;

    public PairedSignEProcess {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha not in (0, 1)");
        }
        if (direction != Direction.INCREASE && direction != Direction.DECREASE) {
            throw new IllegalArgumentException("direction must be INCREASE or DECREASE");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite");
        }
    }

    public static PairedSignEProcess start(double alpha, Direction direction, double scale) {
        return new PairedSignEProcess(alpha, direction, scale, 0, 0, 0, 0, 0);
    }

    /**
     * One interval of points: values and their timestamps per cohort (several series per cohort are averaged per
     * timestamp). Timestamps present in only one cohort, and non-finite values, pair with nothing.
     */
    public PairedSignEProcess update(double[] canary, double[] canaryTimes, double[] stable, double[] stableTimes) {
        Map<Double, double[]> c = means(canary, canaryTimes);
        Map<Double, double[]> s = means(stable, stableTimes);
        int w = worse;
        int b = better;
        for (Map.Entry<Double, double[]> e : c.entrySet()) {
            double[] other = s.get(e.getKey());
            if (other == null) {
                continue;
            }
            double cv = e.getValue()[0] / e.getValue()[1] / scale;
            double sv = other[0] / other[1];
            if (cv == sv) {
                continue; // a tie bets nothing
            }
            boolean bad = direction == Direction.INCREASE ? cv > sv : cv < sv;
            if (bad) {
                w++;
            } else {
                b++;
            }
        }
        double next = logM(w, b);
        return new PairedSignEProcess(alpha, direction, scale, looks + 1, w, b, next, Math.max(maxLogM, next));
    }

    /** ln of the grid average of ∏(1 + λ_j S_i) = (1 + λ_j)^worse (1 − λ_j)^better. */
    static double logM(int worse, int better) {
        double[] terms = new double[GRID];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < GRID; j++) {
            double lambda = (j + 0.5) / GRID;
            terms[j] = worse * Math.log1p(lambda) + better * Math.log1p(-lambda);
            max = Math.max(max, terms[j]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum / GRID);
    }

    private static Map<Double, double[]> means(double[] values, double[] times) {
        Map<Double, double[]> out = new TreeMap<>();
        if (values == null || times == null) {
            return out;
        }
        for (int i = 0; i < Math.min(values.length, times.length); i++) {
            if (Double.isFinite(values[i])) {
                double[] a = out.computeIfAbsent(times[i], k -> new double[2]);
                a[0] += values[i];
                a[1]++;
            }
        }
        return out;
    }

    /** Pairs compared so far. */
    public int pairs() {
        return worse + better;
    }

    @Override
    public String test() {
        return "paired sign e-process";
    }
}
