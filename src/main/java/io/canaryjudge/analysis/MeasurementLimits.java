package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.InsufficientData;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The per-metric limits of a measurement, one policy for fixed and sequential mode, with Argo Rollouts' semantics:
 * more consecutive query errors than {@code consecutiveErrorLimit} ends in ERROR (verdict INCONCLUSIVE — a broken
 * metric source never promotes, nor rolls back); more failures than {@code failureLimit} on a critical metric aborts;
 * more looks without data than {@code inconclusiveLimit} ends INCONCLUSIVE; at the end, a critical metric still
 * without data follows the template's insufficient-data action (extend up to maxExtensions, fail, or inconclusive).
 * Dry-run metrics are counted and reported but never decide. Each mode counts its own way (measurements and judge
 * results in fixed mode, intervals and e-process states in sequential mode) and words its looks accordingly.
 */
final class MeasurementLimits {
    private MeasurementLimits() {
    }

    /** What a limit decided: finish (with a phase and verdict) or extend by one interval, and why. */
    record Stop(Lifecycle.Decision.Kind kind, Phase phase, Verdict verdict, String reason) {
        static Stop finish(Phase phase, Verdict verdict, String reason) {
            return new Stop(Lifecycle.Decision.Kind.FINISH, phase, verdict, reason);
        }
    }

    /** True for a metric that decides: critical and not a dry run. */
    static boolean critical(MetricTemplate m) {
        return m.isCritical() && !m.isDryRun();
    }

    /** True once a deciding critical metric failed more often than its failureLimit. */
    static boolean overFailureLimit(MetricTemplate m, int failures) {
        return critical(m) && failures > m.failureLimitOrDefault();
    }

    /** " (aborted early at measurement 3 of 10)" before the last measurement, else nothing. */
    static String abortedEarly(int seq, int total) {
        return seq < total ? " (aborted early at measurement " + seq + " of " + total + ")" : "";
    }

    /**
     * The first deciding metric with more consecutive query errors than its consecutiveErrorLimit: ERROR.
     *
     * @param errors the metric's consecutive errors so far
     * @param why    the metric's error, after the sentence
     */
    static Stop errors(AnalysisTemplate t, ToIntFunction<MetricTemplate> errors, Function<MetricTemplate, String> why) {
        for (MetricTemplate m : t.metrics()) {
            int n = errors.applyAsInt(m);
            if (!m.isDryRun() && n > m.consecutiveErrorLimitOrDefault()) {
                return Stop.finish(Phase.ERROR, Verdict.INCONCLUSIVE, "Metric " + m.name() + " could not be measured "
                        + n + " times in a row (consecutiveErrorLimit " + m.consecutiveErrorLimitOrDefault() + "): "
                        + why.apply(m));
            }
        }
        return null;
    }

    /**
     * The first deciding metric with more looks without data than its inconclusiveLimit (a negative limit has
     * none): INCONCLUSIVE.
     *
     * @param missing the metric's looks without data so far
     * @param looks   what a look is called: "measurement(s)", "interval(s)"
     * @param after   what follows the sentence, punctuation included
     */
    static Stop noData(AnalysisTemplate t, ToIntFunction<MetricTemplate> missing, String looks,
                       Function<MetricTemplate, String> after) {
        for (MetricTemplate m : t.metrics()) {
            int n = missing.applyAsInt(m);
            int limit = m.inconclusiveLimitOrDefault();
            if (!m.isDryRun() && limit >= 0 && n > limit) {
                return Stop.finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, "Metric " + m.name() + " had no data in "
                        + n + " " + looks + ", over its inconclusiveLimit " + limit + after.apply(m));
            }
        }
        return null;
    }

    /**
     * The template's insufficient-data action once the planned looks are done and critical metrics still lack
     * data: extend by one interval while extensions remain, then INCONCLUSIVE; or ABORT (fail); or INCONCLUSIVE.
     *
     * @param starved   the critical metrics without data
     * @param looks     what a look is called: "measurement(s)", "interval(s)"
     * @param otherwise the decision's own reason, said after an inconclusive action
     */
    static Stop insufficientData(AnalysisTemplate t, List<String> starved, int seq, String looks, int extensionsUsed,
                                 String otherwise) {
        InsufficientData policy = t.insufficientData();
        String what = "Critical metric(s) " + String.join(", ", starved) + " still lack data after " + seq + " "
                + looks;
        int max = policy.maxExtensionsOrDefault();
        return switch (policy.actionOrDefault()) {
            case EXTEND -> extensionsUsed < max
                    ? new Stop(Lifecycle.Decision.Kind.EXTEND, null, null, what + "; extending by one interval ("
                    + (extensionsUsed + 1) + " of " + max + ")")
                    : Stop.finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, what + " and " + extensionsUsed
                    + " extension(s) (insufficientData: extend, maxExtensions " + max + ").");
            case FAIL -> Stop.finish(Phase.FAILED, Verdict.ABORT, what + " (insufficientData: fail).");
            default -> Stop.finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE,
                    what + " (insufficientData: inconclusive). " + otherwise);
        };
    }
}
