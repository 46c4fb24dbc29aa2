/**
 * The judge: pure statistics, no framework, immutable and thread-safe.
 *
 * <ul>
 * <li>{@link io.canaryjudge.judge.MannWhitney} — Mann-Whitney U of canary vs stable with the
 *     Hodges-Lehmann {@link io.canaryjudge.judge.Shift} and its interval, equal to R's
 *     {@code wilcox.test(canary, stable, conf.int = TRUE)}; configured by
 *     {@link io.canaryjudge.judge.Alternative} and {@link io.canaryjudge.judge.TestMethod}, answers a
 *     {@link io.canaryjudge.judge.RankSumResult}.</li>
 * <li>{@link io.canaryjudge.judge.MetricJudge} — judges one metric: a
 *     {@link io.canaryjudge.judge.MetricSpec} (kind {@link io.canaryjudge.judge.MetricKind}, bad
 *     {@link io.canaryjudge.judge.Direction}, {@link io.canaryjudge.judge.Tolerance},
 *     {@link io.canaryjudge.judge.Threshold}, guards) and a {@link io.canaryjudge.judge.Sample}
 *     ({@code Continuous} values or {@code Counts} with exposure) give a
 *     {@link io.canaryjudge.judge.MetricResult} with a {@link io.canaryjudge.judge.Classification} and
 *     the numbers and sentence that explain it.</li>
 * <li>{@link io.canaryjudge.judge.Scorer} — weighs metric results by group into a
 *     {@link io.canaryjudge.judge.ScoreResult} with a {@link io.canaryjudge.judge.Verdict}.</li>
 * <li>{@code io.canaryjudge.judge.sequential} — the anytime-valid tests, looked at after every
 *     interval without inflating false aborts (ADR 0004).</li>
 * </ul>
 *
 * <p>Why these tests, and how the interval is computed fast: {@code docs/adr/0001-judge-statistics.md}.
 */
package io.canaryjudge.judge;
