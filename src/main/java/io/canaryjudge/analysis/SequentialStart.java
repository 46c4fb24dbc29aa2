package io.canaryjudge.analysis;

import io.canaryjudge.analysis.SequentialStep.MetricState;
import io.canaryjudge.analysis.SequentialStep.TestState;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequential tests a metric starts with, by kind: one count e-process for counts; for a continuous metric the
 * abort test at the tolerance, and for a deciding metric the rule-out test at the detectable regression and the
 * within-tolerance test (rank tests, or paired sign tests for a level read as a few points), then the informative
 * quantile tests and the tail test. A threshold metric has none. α is split over {@link #count} abort tests.
 */
final class SequentialStart {
    private SequentialStart() {
    }

    /**
     * Number of abort tests of a template, over which splitAlpha divides α: 1 per counts or continuous metric
     * (informative quantile tests never abort; a threshold is a deterministic limit, no α spent).
     */
    static int count(AnalysisTemplate t) {
        int n = 0;
        for (MetricTemplate m : t.metrics()) {
            n += m.kind() == MetricTemplate.MetricKindName.THRESHOLD ? 0 : 1;
            n += t.tailTested(m) ? 1 : 0;
        }
        return Math.max(1, n);
    }

    static MetricState start(AnalysisTemplate t, MetricTemplate m) {
        if (m.kind() == MetricTemplate.MetricKindName.THRESHOLD) {
            return new MetricState(List.of(), 0, 0, 0, null, null);
        }
        SequentialConfig c = t.sequential();
        int n = count(t);
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            return new MetricState(List.of(new TestState(m.name(), SequentialStep.COUNTS,
                    c.startCounts(direction(m), n, m.margins()))), 0, 0, 0);
        }
        return new MetricState(m.signTested() ? sign(c, m, n) : continuous(t, m, n), 0, 0, 0);
    }

    /** A level with a few points per interval (CPU per request, memory per pod): one bet per timestamp. */
    private static List<TestState> sign(SequentialConfig c, MetricTemplate m, int n) {
        Scales s = Scales.of(m);
        List<TestState> tests = new ArrayList<>();
        tests.add(new TestState(m.name(), SequentialStep.SIGN, c.startSign(direction(m), n, s.tolerance())));
        if (m.isCritical() && !m.isDryRun()) {
            tests.add(new TestState(m.name() + " rule-out", SequentialStep.SIGN_RULE_OUT,
                    c.startSign(s.opposite(), n, s.detectable())));
            tests.add(new TestState(m.name() + " within", SequentialStep.SIGN_WITHIN,
                    c.startSign(s.opposite(), n, s.tolerance())));
        }
        return List.copyOf(tests);
    }

    private static List<TestState> continuous(AnalysisTemplate t, MetricTemplate m, int n) {
        SequentialConfig c = t.sequential();
        Direction d = direction(m);
        Scales s = Scales.of(m);
        List<TestState> tests = new ArrayList<>();
        tests.add(c.fastMode()
                ? new TestState(m.name(), SequentialStep.RANKS_FAST, c.startFastRanks(d, n, s.tolerance()))
                : new TestState(m.name(), SequentialStep.RANKS, c.startRanks(d, n, s.tolerance())));
        // the power tests only matter where PROMOTE waits for them: an informative metric (CPU, memory) skips
        // them, which keeps two rank states per metric out of every measurement and of the engine's memory
        if (m.isCritical() && !m.isDryRun()) {
            tests.add(new TestState(m.name() + " rule-out", SequentialStep.RANKS_RULE_OUT,
                    c.startRanks(s.opposite(), n, s.detectable())));
            tests.add(new TestState(m.name() + " within", SequentialStep.RANKS_WITHIN,
                    c.startRanks(s.opposite(), n, s.tolerance())));
        }
        if (m.buckets() != null) {
            for (HistogramQuantileEProcess q : c.startHistogramQuantiles(d, n)) {
                tests.add(new TestState(m.name() + " p" + percent(q.p()), SequentialStep.QUANTILE_BUCKETS, q));
            }
        } else {
            for (QuantileEProcess q : c.startQuantiles(d, n)) {
                tests.add(new TestState(m.name() + " p" + percent(q.p()), SequentialStep.QUANTILE, q));
            }
        }
        if (t.tailTested(m)) {
            tests.add(new TestState(m.name() + " tail", SequentialStep.TAIL, c.startTail(n)));
        }
        return List.copyOf(tests);
    }

    /**
     * What the canary is divided by in a continuous metric's margin tests: ×1.05 for "5 % slower", ÷(1/0.8) for
     * "20 % less throughput"; the rule-out and within tests look the other way.
     */
    private record Scales(double tolerance, double detectable, Direction opposite) {
        static Scales of(MetricTemplate m) {
            Margins g = m.margins();
            boolean decrease = direction(m) == Direction.DECREASE;
            return new Scales(decrease ? 1 / g.tolerance() : g.tolerance(),
                    decrease ? 1 / g.detectable() : g.detectable(), decrease ? Direction.INCREASE : Direction.DECREASE);
        }
    }

    static Direction direction(MetricTemplate m) {
        return switch (m.directionOrDefault()) {
            case INCREASE -> Direction.INCREASE;
            case DECREASE -> Direction.DECREASE;
            case EITHER -> Direction.EITHER;
        };
    }

    private static String percent(double p) {
        double v = 100 * p;
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
