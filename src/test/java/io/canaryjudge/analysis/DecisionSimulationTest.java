package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * A small run of the decision simulation (BENCHMARKS.md "Decisions" has the full one): the shipped template,
 * through the real decision code, promotes healthy canaries and aborts a slow tail. Seeds fixed.
 */
class DecisionSimulationTest {

    private static DecisionSimulation.End[] run(String scenario, int reps, int[] counts) throws Exception {
        AnalysisTemplate t = DecisionSimulation.shipped("http-golden-signals");
        AnalysisTemplate before = DecisionSimulation.withoutMargins(t);
        DecisionSimulation.Scenario s = DecisionSimulation.scenarios().stream()
            .filter(x -> x.name().startsWith(scenario)).findFirst().orElseThrow();
        DecisionSimulation.End[] last = null;
        for (int r = 0; r < reps; r++) {
            last = DecisionSimulation.run(s, t, before, new Well19937c(s.seed() + r));
            counts[last[0].verdict().ordinal()]++;
        }
        return last;
    }

    @Test
    void healthyCanariesAtModerateTrafficArePromoted() throws Exception {
        int[] counts = new int[Verdict.values().length];
        DecisionSimulation.End[] last = run("A/A, 40 req/s", 20, counts);
        assertEquals(20, counts[Verdict.PROMOTE.ordinal()], "1,000 replicates: 100 % promoted");
        assertTrue(last[0].intervals() >= 5 && last[0].intervals() <= 10, "early (within tolerance after 5) or at "
            + "the planned 10: " + last[0].intervals());
    }

    @Test
    void aSlowTailIsAbortedWithinMinutes() throws Exception {
        int[] counts = new int[Verdict.values().length];
        DecisionSimulation.End[] last = run("slow tail", 20, counts);
        assertEquals(20, counts[Verdict.ABORT.ordinal()], "500 replicates: 100 % aborted, median 2 minutes");
        assertTrue(last[0].intervals() <= 4, "aborted after " + last[0].intervals() + " minutes");
    }

    @Test
    void aCanaryUsingHalfAsMuchMoreCpuPerRequestIsFlaggedButDecidedByItsCriticalMetrics() throws Exception {
        int[] counts = new int[Verdict.values().length];
        AnalysisTemplate t = DecisionSimulation.shipped("http-golden-signals");
        AnalysisTemplate before = DecisionSimulation.withoutMargins(t);
        DecisionSimulation.Scenario s = DecisionSimulation.scenarios().stream()
            .filter(x -> x.name().startsWith("CPU per request +50 %")).findFirst().orElseThrow();
        int flagged = 0;
        for (int r = 0; r < 20; r++) {
            DecisionSimulation.End e = DecisionSimulation.run(s, t, before, new Well19937c(s.seed() + r))[0];
            counts[e.verdict().ordinal()]++;
            flagged += e.cpuFlagged() ? 1 : 0;
        }
        assertEquals(20, flagged, "flagged within the analysis in every run");
        assertEquals(20, counts[Verdict.PROMOTE.ordinal()], "informative: errors and latency are as stable's");
    }

    @Test
    void everyScenarioHasItsTemplateAndBuckets() {
        List<DecisionSimulation.Scenario> all = DecisionSimulation.scenarios();
        assertEquals(12, all.size());
        assertTrue(DecisionSimulation.FINE.length > 40, "Micrometer's buckets between 1 ms and 30 s");
        assertEquals(0.001048576, DecisionSimulation.FINE[0], 1e-12);
    }
}
