package io.canaryjudge.analysis;

import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.ScoreResult;
import io.canaryjudge.judge.Scorer;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.InsufficientData;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.Phase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What happens after a measurement, with Argo Rollouts' limit semantics per metric: more failures than
 * {@code failureLimit} on a critical metric aborts at once; more measurements without data than
 * {@code inconclusiveLimit} ends INCONCLUSIVE; more consecutive query errors than {@code consecutiveErrorLimit}
 * ends in ERROR (verdict INCONCLUSIVE — a broken metric source never promotes, nor rolls back). After the last
 * measurement the scorer decides; a critical metric still short of data follows the template's insufficient-data
 * action. Dry-run metrics are counted and reported but never decide. Pure: no I/O, no clock.
 */
final class Lifecycle {
    private static final Set<String> MISSING_DATA = Set.of("no-data", "no-exposure");

    private Lifecycle() {
    }

    /** Per metric counters carried from one measurement to the next (stored with each measurement). */
    record Counters(int failures, int inconclusives, int consecutiveErrors, String lastFailure) {
        static final Counters ZERO = new Counters(0, 0, 0, null);
    }

    /** The outcome of a step: continue, extend by one interval, or finish with a phase and verdict. */
    record Decision(Kind kind, Phase phase, Verdict verdict, ScoreResult score, String reason,
                    Map<String, Counters> counters) {
        enum Kind { CONTINUE, EXTEND, FINISH }
    }

    static Decision step(AnalysisTemplate template, Map<String, Counters> previous, List<MetricResult> results,
                         int seq, int total, int extensionsUsed) {
        Map<String, Counters> counters = new LinkedHashMap<>();
        List<MetricResult> deciding = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            MetricTemplate m = template.metrics().get(i);
            MetricResult r = results.get(i);
            Counters c = update(previous.getOrDefault(m.name(), Counters.ZERO), r);
            counters.put(m.name(), c);
            if (!m.isDryRun()) {
                deciding.add(applyFailureLimit(m, r, c));
            }
        }
        ScoreResult score = Scorer.of(template.pass(), template.marginal()).score(deciding);
        for (MetricTemplate m : template.metrics()) {
            Counters c = counters.get(m.name());
            if (!m.isDryRun() && c.consecutiveErrors() > m.consecutiveErrorLimitOrDefault()) {
                return finish(Phase.ERROR, Verdict.INCONCLUSIVE, score, counters, "Metric " + m.name() + " could not be "
                        + "measured " + c.consecutiveErrors() + " times in a row (consecutiveErrorLimit "
                        + m.consecutiveErrorLimitOrDefault() + "): " + explanation(results, template, m));
            }
        }
        for (MetricTemplate m : template.metrics()) {
            Counters c = counters.get(m.name());
            if (!m.isDryRun() && m.isCritical() && c.failures() > m.failureLimitOrDefault()) {
                return finish(Phase.FAILED, Verdict.ABORT, score, counters, "Critical metric " + m.name() + " was "
                        + c.lastFailure() + " in " + c.failures() + " measurement(s), over its failureLimit "
                        + m.failureLimitOrDefault() + (seq < total ? " (aborted early at measurement " + seq + " of "
                        + total + ")" : "") + ": " + explanation(results, template, m));
            }
        }
        for (MetricTemplate m : template.metrics()) {
            Counters c = counters.get(m.name());
            int limit = m.inconclusiveLimitOrDefault();
            if (!m.isDryRun() && limit >= 0 && c.inconclusives() > limit) {
                return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, score, counters, "Metric " + m.name()
                        + " had no data in " + c.inconclusives() + " measurement(s), over its inconclusiveLimit " + limit
                        + ": " + explanation(results, template, m));
            }
        }
        if (seq < total) {
            return new Decision(Decision.Kind.CONTINUE, null, null, score, null, counters);
        }
        List<String> starved = new ArrayList<>();
        for (MetricResult r : deciding) {
            if (r.spec().critical() && r.classification() == Classification.NO_DATA) {
                starved.add(r.name());
            }
        }
        if (!starved.isEmpty() && score.verdict() != Verdict.ABORT) {
            InsufficientData policy = template.insufficientData();
            String what = "Critical metric(s) " + String.join(", ", starved) + " still lack data after " + seq
                    + " measurement(s)";
            switch (policy.actionOrDefault()) {
                case EXTEND -> {
                    if (extensionsUsed < policy.maxExtensionsOrDefault()) {
                        return new Decision(Decision.Kind.EXTEND, null, null, score, what + "; extending by one interval ("
                                + (extensionsUsed + 1) + " of " + policy.maxExtensionsOrDefault() + ")", counters);
                    }
                    return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, score, counters, what + " and "
                            + extensionsUsed + " extension(s) (insufficientData: extend, maxExtensions "
                            + policy.maxExtensionsOrDefault() + ").");
                }
                case FAIL -> {
                    return finish(Phase.FAILED, Verdict.ABORT, score, counters, what + " (insufficientData: fail).");
                }
                default -> {
                    return finish(Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, score, counters, what
                            + " (insufficientData: inconclusive). " + score.reason());
                }
            }
        }
        return finish(Phase.of(score.verdict().name()), score.verdict(), score, counters, score.reason());
    }

    private static Counters update(Counters c, MetricResult r) {
        Classification k = r.classification();
        boolean failure = k == Classification.HIGH || k == Classification.LOW;
        boolean missing = k == Classification.NO_DATA && MISSING_DATA.contains(r.rule());
        return new Counters(c.failures() + (failure ? 1 : 0), c.inconclusives() + (missing ? 1 : 0),
                k == Classification.ERROR ? c.consecutiveErrors() + 1 : 0, failure ? k.name() : c.lastFailure());
    }

    /** A non-critical metric that failed more often than its limit counts as failed even if the last look passed. */
    private static MetricResult applyFailureLimit(MetricTemplate m, MetricResult r, Counters c) {
        if (c.failures() <= m.failureLimitOrDefault() || r.classification() == Classification.HIGH
                || r.classification() == Classification.LOW || c.lastFailure() == null) {
            return r;
        }
        return new MetricResult(r.spec(), Classification.valueOf(c.lastFailure()), "failure-limit",
                m.name() + " is " + c.lastFailure() + ": it failed in " + c.failures() + " measurement(s), over its "
                        + "failureLimit " + m.failureLimitOrDefault() + "; last look: " + r.explanation(),
                r.canaryCount(), r.stableCount(), r.canaryDropped(), r.stableDropped(), r.canaryLevel(), r.stableLevel(),
                r.u(), r.pValue(), r.shift(), r.effect());
    }

    private static String explanation(List<MetricResult> results, AnalysisTemplate t, MetricTemplate m) {
        return results.get(t.metrics().indexOf(m)).explanation();
    }

    private static Decision finish(Phase phase, Verdict verdict, ScoreResult score, Map<String, Counters> counters,
                                   String reason) {
        return new Decision(Decision.Kind.FINISH, phase, verdict, score, reason, counters);
    }
}
