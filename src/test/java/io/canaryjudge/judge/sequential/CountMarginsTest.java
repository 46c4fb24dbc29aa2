package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.judge.Direction;
import org.apache.commons.math3.distribution.PoissonDistribution;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

/**
 * The count e-process with margins: each evidence equals its mixture written out from Λ_t, the one-sided bounds
 * are where the tests turn, and the guarantee holds for H0 "no worse than tolerance" under a varying split.
 */
class CountMarginsTest {

    private static final double ALPHA = 0.05;
    private static final double SIGMA = 0.5;
    private static final double H = CountRatioEProcess.STEP;
    private static final int J = CountRatioEProcess.NODES;

    /**
     * ln Σ_j w_j exp(Λ(b0 + side·j·h) − Λ(b0)) in the bad coordinate b = sign·δ, straight from the definition: w_j
     * normal of scale σ centred at node c (c = 0: half-normal), normalised over j = 1..J.
     */
    private static double mixture(CountRatioEProcess e, double b0, int side, int sign, int c) {
        double[] terms = new double[J];
        double norm = 0;
        for (int j = 1; j <= J; j++) {
            norm += Math.exp(-((j - c) * H) * ((j - c) * H) / (2 * SIGMA * SIGMA));
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 1; j <= J; j++) {
            double w = -((j - c) * H) * ((j - c) * H) / (2 * SIGMA * SIGMA) - Math.log(norm);
            double b = b0 + side * j * H;
            terms[j - 1] = w + e.logLikelihoodRatio(sign * b) - e.logLikelihoodRatio(sign * b0);
            max = Math.max(max, terms[j - 1]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    /** The abort and rule-out tests of margins 1.2 / 2 weigh nodes around 0.69 − 0.19 = 0.50 from their null. */
    private static final int CENTRE = 50;

    private static CountRatioEProcess ramp(Direction direction, Margins margins) {
        CountRatioEProcess e = CountRatioEProcess.start(ALPHA, SIGMA, direction, margins);
        long[][] rows = {{1, 9, 50, 950}, {2, 8, 100, 900}, {5, 10, 200, 800}, {6, 7, 300, 700}, {8, 6, 400, 600},
            {10, 5, 500, 500}, {8, 4, 500, 500}};
        for (long[] r : rows) {
            e = e.update(new CountInterval(r[0], r[1], r[2], r[3]));
        }
        return e;
    }

    @Test
    void eachEvidenceIsItsMixtureAtTheMarginRoundedTowardsTheNull() {
        Margins m = new Margins(1.2, 2);
        CountRatioEProcess e = ramp(Direction.INCREASE, m);
        // tolerance ln 1.2 = 0.1823 is tested at 0.19 (up: more conservative), detectable ln 2 = 0.693 at 0.69
        assertEquals(CENTRE, e.priorCenter());
        assertEquals(mixture(e, 0.19, 1, 1, CENTRE), e.logM(), 1e-9, "abort: H0 b <= ln 1.2, weights around ×2");
        assertEquals(mixture(e, 0.69, -1, 1, CENTRE), e.ruleOutLogM(), 1e-9, "rule-out: H0 b >= ln 2, around ×1.2");
        assertEquals(mixture(e, 0.18, -1, 1, 0), e.withinLogM(), 1e-9, "within: H0 b >= ln 1.2, half-normal");
        CountRatioEProcess d = ramp(Direction.DECREASE, m);
        assertEquals(mixture(d, 0.19, 1, -1, CENTRE), d.logM(), 1e-9, "a decrease mirrors δ");
        assertEquals(mixture(d, 0.69, -1, -1, CENTRE), d.ruleOutLogM(), 1e-9);
    }

    @Test
    void stateStoredBeforeCentringKeepsHalfNormalWeights() {
        CountRatioEProcess centred = ramp(Direction.INCREASE, new Margins(1.2, 2));
        CountRatioEProcess old = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE, new Margins(1.2, 2));
        old = new CountRatioEProcess(old.alpha(), old.sigma(), old.direction(), old.margins(), 0, 0, 0, 0, 0,
            java.util.List.of(), 0, 0, 0, 0, 0, Double.POSITIVE_INFINITY, 0);
        long[][] rows = {{1, 9, 50, 950}, {2, 8, 100, 900}, {5, 10, 200, 800}, {6, 7, 300, 700}, {8, 6, 400, 600},
            {10, 5, 500, 500}, {8, 4, 500, 500}};
        for (long[] r : rows) {
            old = old.update(new CountInterval(r[0], r[1], r[2], r[3]));
        }
        assertEquals(0, old.priorCenter(), "the centre travels with the state");
        assertEquals(mixture(old, 0.19, 1, 1, 0), old.logM(), 1e-9);
        CountRatioEProcess atTwo = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE, new Margins(1.2, 2));
        CountRatioEProcess halfNormal = new CountRatioEProcess(ALPHA, SIGMA, Direction.INCREASE, new Margins(1.2, 2), 0,
            0, 0, 0, 0, java.util.List.of(), 0, 0, 0, 0, 0, Double.POSITIVE_INFINITY, 0);
        for (int t = 0; t < 6; t++) { // one minute of 4 req/s at 1 % errors, the canary's tripled
            atTwo = atTwo.update(new CountInterval(4, 1, 120, 120));
            halfNormal = halfNormal.update(new CountInterval(4, 1, 120, 120));
        }
        assertTrue(atTwo.logM() > halfNormal.logM() + 0.2, "×3 on little data: weights centred on ×2 gather evidence "
            + "faster: "
            + atTwo.logM() + " vs " + halfNormal.logM());
        assertTrue(centred.logM() != old.logM());
    }

    @Test
    void withoutMarginsTheAbortTestIsUnchanged() {
        CountRatioEProcess plain = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE);
        // a detectable on the tolerance's next grid node centres the weights on the boundary: the half-normal
        CountRatioEProcess unit = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE, new Margins(1, 1.01));
        for (int t = 0; t < 6; t++) {
            CountInterval i = new CountInterval(5 + t % 3, 2 + t % 2, 300, 300);
            plain = plain.update(i);
            unit = unit.update(i);
        }
        assertEquals(plain.logM(), unit.logM(), 1e-9, "tolerance 1 is the plain test of r <= 1");
        assertTrue(Double.isNaN(plain.ruleOutLogM()), "no power test without margins");
    }

    @Test
    void theBoundsAreWhereTheOneSidedTestsTurn() {
        CountRatioEProcess e = ramp(Direction.INCREASE, new Margins(1.2, 2));
        double threshold = Math.log(1 / ALPHA);
        double lo = Math.log(e.lower());
        double hi = Math.log(e.upper());
        assertTrue(mixture(e, lo, 1, 1, CENTRE) >= threshold - 1e-9, "ratios up to the lower bound are rejected");
        assertTrue(mixture(e, lo + H, 1, 1, CENTRE) < threshold, "the next grid point is not");
        assertTrue(mixture(e, hi, -1, 1, CENTRE) >= threshold - 1e-9, "ratios from the upper bound on are rejected");
        assertTrue(mixture(e, hi - H, -1, 1, CENTRE) < threshold);
        assertTrue(e.lower() < e.estimate() && e.estimate() < e.upper(), e.lower() + " " + e.estimate() + " " + e.upper());
        // the one-sided bounds lie inside the two-sided 95 % confidence sequence
        RateRatio cs = e.confidenceSequence();
        assertTrue(cs.lower() <= e.lower() + 0.01 && e.upper() <= cs.upper() + 0.01, cs + " vs " + e.lower() + "–"
            + e.upper());
    }

    @Test
    void noErrorsMeansNoBounds() {
        CountRatioEProcess e = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE, new Margins(1.2, 2))
            .update(new CountInterval(0, 0, 1000, 1000));
        assertEquals(0, e.lower());
        assertEquals(Double.POSITIVE_INFINITY, e.upper());
        assertFalse(e.ruledOut());
        CountRatioEProcess noStable = e.update(new CountInterval(4, 0, 1000, 1000));
        assertEquals(Double.POSITIVE_INFINITY, noStable.upper(), "no stable errors: no upper bound");
    }

    @Test
    void marginsAreValidated() {
        assertEquals("tolerance factor must be in [1, 100)",
            assertThrows(IllegalArgumentException.class, () -> new Margins(0.9, 2)).getMessage());
        assertEquals("detectable factor must be > tolerance and <= 100",
            assertThrows(IllegalArgumentException.class, () -> new Margins(1.5, 1.5)).getMessage());
        assertEquals("detectable of a decrease must be below 1 (100 % lower is zero)",
            assertThrows(IllegalArgumentException.class, () -> Margins.ofRelative(0.2, 1, true)).getMessage());
        assertEquals("margins are one-sided: direction must be INCREASE or DECREASE",
            assertThrows(IllegalArgumentException.class,
                () -> CountRatioEProcess.start(ALPHA, SIGMA, Direction.EITHER, new Margins(1.2, 2))).getMessage());
    }

    /**
     * Monte Carlo at the boundary of H0: the canary's error rate exactly 1.2× stable's (Poisson), the canary's share
     * ramping 5 % → 50 % while the base rate swings ±50 %, 30 looks. Aborts must stay at or below α; seeds fixed.
     */
    @Test
    void atTheToleranceTheFalseAbortRateStaysBelowAlphaUnderARampAndDrift() {
        int reps = 300;
        int aborts = 0;
        int ruledOut = 0;
        Margins m = new Margins(1.2, 2);
        for (int r = 0; r < reps; r++) {
            Well19937c rng = new Well19937c(1_000 + r);
            CountRatioEProcess e = CountRatioEProcess.start(ALPHA, SIGMA, Direction.INCREASE, m);
            boolean aborted = false;
            for (int t = 0; t < 30 && !aborted; t++) {
                double share = 0.05 + 0.45 * Math.min(1, t / 10.0);
                double base = 0.01 * (1 + 0.5 * Math.sin(2 * Math.PI * t / 7));
                double requests = 600;
                double ce = share * requests;
                double se = (1 - share) * requests;
                long yc = new PoissonDistribution(rng, 1.2 * base * ce, 1e-12, 10_000).sample();
                long ys = new PoissonDistribution(rng, base * se, 1e-12, 10_000).sample();
                e = e.update(new CountInterval(yc, ys, ce, se));
                aborted = e.crossed();
            }
            aborts += aborted ? 1 : 0;
            ruledOut += e.ruledOut() ? 1 : 0;
        }
        double rate = aborts / (double) reps;
        // α = 5 %; 300 replicates have a Monte Carlo standard error of 1.3 points at 5 %
        assertTrue(rate <= ALPHA, "false aborts at the tolerance: " + aborts + "/" + reps);
        assertTrue(ruledOut > reps / 2, "a 1.2x canary is mostly shown below 2x in 30 looks: " + ruledOut + "/" + reps);
    }
}
