package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;

/**
 * The state of one metric's sequential test after some looks: an immutable value updated per
 * interval ({@code next = state.update(interval)}), a Jackson-serialisable record that carries the
 * parameters it was started with, so a restarted service continues the same process.
 *
 * <p>Guarantee (Ville's inequality): under H0, P(∃ t: M_t ≥ 1/α) ≤ α, however often one looks.
 */
public sealed interface SequentialState
    permits CountRatioEProcess, BetaBinomialLM, BatchRankEProcess, QuantileEProcess, HistogramQuantileEProcess,
        RankZMixture, TailEProcess, PairedSignEProcess {

    /** The per-metric level the process was started with (after any α/m split). */
    double alpha();

    /** The bad direction the process tests for. */
    Direction direction();

    /** Intervals seen, including those that carried no information. */
    int looks();

    /** ln M_t, the log e-value after the last look. */
    double logM();

    /** max over s ≤ t of ln M_s (0 before any look: M_0 = 1). */
    double maxLogM();

    /** The anytime-valid p-value min(1, 1/max M_s). */
    default double pValue() {
        return Math.min(1, Math.exp(-maxLogM()));
    }

    /** ln(1/α), the level ln M must reach. */
    default double threshold() {
        return LogMath.threshold(alpha());
    }

    /** True once ln M has reached ln(1/α) in the bad direction; stays true (p ≤ α). */
    default boolean crossed() {
        return maxLogM() >= threshold();
    }

    /** Short name of the test, for explanations. */
    String test();

    /** True for the normal-approximation fast mode, whose guarantee is only asymptotic. */
    default boolean asymptotic() {
        return false;
    }
}
