package io.canaryjudge.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.canaryjudge.judge.sequential.SequentialConfig;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sentence that sets an A/A estimate against the template's promise, for each case. */
class ComparisonTest {
    private static MetricTemplate metric(String name, MetricTemplate.MetricKindName kind, boolean critical,
                                         boolean dryRun) {
        return new MetricTemplate(name, null, kind, kind == MetricTemplate.MetricKindName.COUNTS ? null : "q",
                kind == MetricTemplate.MetricKindName.COUNTS ? "e" : null,
                kind == MetricTemplate.MetricKindName.COUNTS ? "x" : null, null, null, null, critical, null, null,
                null, null, null, null, null, dryRun, null);
    }

    private static AnalysisTemplate template(AnalysisTemplate.Mode mode, SequentialConfig sequential) {
        return new AnalysisTemplate("t", null, Duration.ofMinutes(1), null, 10, Duration.ofSeconds(30), 95, 75, null,
                List.of(metric("errors", MetricTemplate.MetricKindName.COUNTS, true, false),
                        metric("latency", MetricTemplate.MetricKindName.CONTINUOUS, true, false),
                        metric("memory", MetricTemplate.MetricKindName.CONTINUOUS, false, false),
                        metric("cpu", MetricTemplate.MetricKindName.CONTINUOUS, true, true)),
                "t.yaml", null, mode, sequential);
    }

    private static Backtests.Rate rate(int k, int n) {
        ClopperPearson cp = ClopperPearson.of(k, n, 0.95);
        return new Backtests.Rate(k, n, cp.estimate(), cp.lower(), cp.upper(), 0.95, "Clopper-Pearson (exact)");
    }

    @Test
    void criticalTestsAreOneAbortTestPerCriticalMetricSkippingDryRunAndNonCriticalOnes() {
        SequentialConfig c = SequentialConfig.defaults().withQuantiles(List.of(0.5, 0.99));
        assertEquals(2, Comparison.criticalTests(template(AnalysisTemplate.Mode.SEQUENTIAL, c)),
                "errors and latency (points: no tail test); quantile tests only inform");
        assertEquals(0.1, Comparison.bound(template(AnalysisTemplate.Mode.SEQUENTIAL, c)), 1e-15);
        assertEquals(0.05, Comparison.bound(template(AnalysisTemplate.Mode.SEQUENTIAL, c.withSplitAlpha(true))));
    }

    @Test
    void fixedModePromisesNothing() {
        assertEquals("2 ABORT in 40 stable-vs-stable windows: estimated false-abort rate 0.0500, 95 % "
                + "Clopper-Pearson interval [0.0061, 0.1692]. Fixed mode guarantees no false-abort level (every look "
                + "re-tests the growing window), so this estimate is the template's calibration on this traffic.",
                Comparison.sentence(template(AnalysisTemplate.Mode.FIXED, null), rate(2, 40)));
    }

    @Test
    void sequentialIntervalAboveTheBoundSaysSo() {
        SequentialConfig c = SequentialConfig.defaults().withQuantiles(List.of());
        assertEquals("5 ABORT in 10 stable-vs-stable windows: estimated false-abort rate 0.5000, 95 % "
                + "Clopper-Pearson interval [0.1871, 0.8129]. In sequential mode the template's alpha is 0.05 per "
                + "test; with 2 critical test(s) an analysis aborts a healthy canary with probability at most 0.1. "
                + "The whole interval is above that bound: on this traffic the stable data differ from themselves "
                + "more than the tests assume (drift, time-of-day, too few samples); expect more false aborts than "
                + "alpha promises.", Comparison.sentence(template(AnalysisTemplate.Mode.SEQUENTIAL, c), rate(5, 10)));
    }

    @Test
    void sequentialIntervalBelowAlphaAndSplitAlpha() {
        SequentialConfig c = SequentialConfig.defaults().withSplitAlpha(true);
        assertEquals("0 ABORT in 200 stable-vs-stable windows: estimated false-abort rate 0.0000, 95 % "
                + "Clopper-Pearson interval [0.0000, 0.0183]. In sequential mode the template's alpha 0.05 is split "
                + "over its tests, so an analysis aborts a healthy canary with probability at most 0.05. The whole "
                + "interval is below alpha: consistent with the promise.",
                Comparison.sentence(template(AnalysisTemplate.Mode.SEQUENTIAL, c), rate(0, 200)));
    }

    @Test
    void numbersHaveFourSignificantDigitsWithoutTrailingZeros() {
        assertEquals("0.05", Comparison.number(0.05));
        assertEquals("0.2", Comparison.number(0.2));
        assertEquals("0.01667", Comparison.number(0.05 / 3));
        assertEquals("1", Comparison.number(1));
    }
}
