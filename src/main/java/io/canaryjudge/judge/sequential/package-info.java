/**
 * Anytime-valid (sequential) judging: tests that may be looked at after every interval and stopped
 * at any time with a false-abort probability ≤ α (Ville's inequality), unlike a fixed-horizon test
 * re-run on a growing window. Pure Java, immutable, thread-safe, no framework.
 *
 * <ul>
 * <li>{@link io.canaryjudge.judge.sequential.CountRatioEProcess} — errors out of requests: mixture
 *     likelihood ratio on the log rate ratio, valid when the split and the base rate change between
 *     intervals, with the {@link io.canaryjudge.judge.sequential.RateRatio} confidence sequence;
 *     {@link io.canaryjudge.judge.sequential.BetaBinomialLM} is the closed-form cross-check for a fixed split.</li>
 * <li>{@link io.canaryjudge.judge.sequential.BatchRankEProcess} — latency/CPU: exact per-interval
 *     rank-sum e-process (raw samples or histogram buckets);
 *     {@link io.canaryjudge.judge.sequential.QuantileEProcess} — p50/p99 on raw values,
 *     {@link io.canaryjudge.judge.sequential.HistogramQuantileEProcess} — the same on histogram buckets;
 *     {@link io.canaryjudge.judge.sequential.RankZMixture} — opt-in asymptotic fast mode.</li>
 * <li>{@link io.canaryjudge.judge.sequential.SequentialJudge} — ABORT / early PROMOTE / CONTINUE from
 *     every metric's {@link io.canaryjudge.judge.sequential.SequentialState} and
 *     {@link io.canaryjudge.judge.sequential.SequentialConfig}.</li>
 * </ul>
 *
 * <p>Formulas and reference figures: docs/statistics.md; decisions and limits:
 * {@code docs/adr/0004-sequential-judging.md}.
 */
package io.canaryjudge.judge.sequential;
