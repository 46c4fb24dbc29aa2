package io.canaryjudge.analysis;

import io.canaryjudge.analysis.SequentialStep.MetricState;
import io.canaryjudge.analysis.SequentialStep.TestState;
import io.canaryjudge.analysis.SequentialStep.ThresholdLook;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountInterval;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.PairedSignEProcess;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.ShiftEstimate;
import io.canaryjudge.judge.sequential.TailEProcess;
import io.canaryjudge.template.MetricTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One interval fed to a metric's tests: a query error only counts (the processes do not move: no look, still
 * valid); a threshold metric applies fixed mode's rule to the interval's values; counts feed the integer
 * interval, histograms the per-bucket counts on shared boundaries, points the finite values (and the paired
 * sign test the timestamps). An interval without data in both cohorts counts towards inconclusiveLimit.
 */
final class SequentialFeed {
    private static final double[] NONE = new double[0];

    private SequentialFeed() {
    }

    static MetricState update(MetricTemplate m, MetricState s, Observation o) {
        if (o.error() != null) {
            return new MetricState(s.tests(), s.dataIntervals(), s.noDataIntervals(), s.consecutiveErrors() + 1,
                    s.threshold(), s.shift());
        }
        if (m.kind() == MetricTemplate.MetricKindName.THRESHOLD) {
            return threshold(m, s, o);
        }
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            CountInterval interval = interval(o);
            List<TestState> next = new ArrayList<>();
            for (TestState x : s.tests()) {
                next.add(new TestState(x.name(), x.type(), ((CountRatioEProcess) x.state()).update(interval)));
            }
            return after(s, next, interval.canaryExposure() > 0 && interval.stableExposure() > 0, s.shift());
        }
        return m.buckets() != null ? buckets(s, o) : points(s, o);
    }

    private static MetricState after(MetricState s, List<TestState> next, boolean data, ShiftEstimate shift) {
        return new MetricState(List.copyOf(next), s.dataIntervals() + (data ? 1 : 0),
                s.noDataIntervals() + (data ? 0 : 1), 0, null, shift);
    }

    private static MetricState threshold(MetricTemplate m, MetricState s, Observation o) {
        MetricResult r = Judging.judgeInterval(m, o);
        int before = s.threshold() == null ? 0 : s.threshold().breaches();
        ThresholdLook look = new ThresholdLook(r.classification(), r.rule(), r.explanation(), r.canaryLevel(),
                r.stableLevel(), before + (r.classification() == Classification.HIGH
                || r.classification() == Classification.LOW ? 1 : 0));
        boolean data = r.classification() != Classification.NO_DATA;
        return new MetricState(List.of(), s.dataIntervals() + (data ? 1 : 0), s.noDataIntervals() + (data ? 0 : 1),
                0, look, null);
    }

    private static MetricState buckets(MetricState s, Observation o) {
        Buckets.Paired h = histogram(o);
        boolean data = h != null && h.canaryTotal() > 0 && h.stableTotal() > 0;
        List<TestState> next = new ArrayList<>();
        for (TestState x : s.tests()) {
            SequentialState n = x.state();
            if (n instanceof BatchRankEProcess r) {
                n = data ? r.updateHistogram(h.bounds(), h.canary(), h.stable()) : r.update(NONE, NONE);
            } else if (n instanceof RankZMixture z) {
                n = data ? z.updateHistogram(h.bounds(), h.canary(), h.stable()) : z.update(NONE, NONE);
            } else if (n instanceof HistogramQuantileEProcess q && data) {
                n = q.updateHistogram(h.bounds(), h.canary(), h.stable());
            } else if (n instanceof TailEProcess tail && data) {
                n = tail.updateHistogram(h.bounds(), h.canary(), h.stable());
            }
            next.add(new TestState(x.name(), x.type(), n));
        }
        return after(s, next, data, data ? s.shift().addHistogram(h.bounds(), h.canary(), h.stable()) : s.shift());
    }

    private static MetricState points(MetricState s, Observation o) {
        double[] c = finite(o.canary().values());
        double[] st = finite(o.stable().values());
        boolean data = c.length > 0 && st.length > 0;
        List<TestState> next = new ArrayList<>();
        for (TestState x : s.tests()) {
            SequentialState n = x.state();
            if (n instanceof BatchRankEProcess r) {
                n = r.update(c, st);
            } else if (n instanceof RankZMixture z) {
                n = z.update(c, st);
            } else if (n instanceof QuantileEProcess q && data) {
                n = q.update(c, st);
            } else if (n instanceof TailEProcess tail && data) {
                n = tail.update(c, st);
            } else if (n instanceof PairedSignEProcess p) {
                n = p.update(o.canary().values(), o.canary().times(), o.stable().values(), o.stable().times());
            }
            next.add(new TestState(x.name(), x.type(), n));
        }
        return after(s, next, data, data ? s.shift().addSamples(c, st) : s.shift());
    }

    /** The interval's integer counts: the sums read over the interval, rounded (see README "Sequential mode"). */
    static CountInterval interval(Observation o) {
        return new CountInterval(count(o.canary().events()), count(o.stable().events()), exposure(o.canary().exposure()),
                exposure(o.stable().exposure()));
    }

    /**
     * The interval's histogram of both cohorts on shared boundaries (per-bucket integer counts), or null when
     * the metric has no buckets or neither cohort returned any bucket series; a cohort without series has none.
     */
    static Buckets.Paired histogram(Observation o) {
        Buckets c = o.canary().buckets();
        Buckets s = o.stable().buckets();
        if (c == null && s == null) {
            return null;
        }
        Buckets none = new Buckets(new double[] {Double.POSITIVE_INFINITY}, new double[] {0});
        return Buckets.pair(c == null ? none : c, s == null ? none : s);
    }

    private static long count(Double events) {
        return events == null || !Double.isFinite(events) || events < 0 ? 0 : Math.round(events);
    }

    private static double exposure(Double exposure) {
        return exposure == null || !Double.isFinite(exposure) || exposure < 0 ? 0 : exposure;
    }

    private static double[] finite(double[] values) {
        return Arrays.stream(values).filter(Double::isFinite).toArray();
    }
}
