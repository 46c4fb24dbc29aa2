package io.canaryjudge.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns metric results into a verdict, as Kayenta's scorer does but never promoting on missing data.
 * Per group: 100 · Σ weight(PASS) / Σ weight(counted), where NO_DATA is not counted unless the metric
 * must have data (then it counts as a failure) and ERROR counts as a failure; the score is the
 * group-weighted mean. Then, in this order:
 * <ol>
 * <li>a critical metric HIGH or LOW ⇒ ABORT;</li>
 * <li>a critical metric NO_DATA or ERROR ⇒ INCONCLUSIVE (never PROMOTE);</li>
 * <li>≥ 50 % of metrics NO_DATA, or a must-have-data metric without data ⇒ INCONCLUSIVE;</li>
 * <li>score ≥ pass ⇒ PROMOTE, ≥ marginal ⇒ INCONCLUSIVE, else ABORT.</li>
 * </ol>
 */
public final class Scorer {

    private final double pass;
    private final double marginal;
    private final Map<String, Double> groupWeights;

    private Scorer(double pass, double marginal, Map<String, Double> groupWeights) {
        this.pass = pass;
        this.marginal = marginal;
        this.groupWeights = groupWeights;
    }

    /** Thresholds on the 0–100 score; groups weigh 1 unless {@link #withGroupWeights(Map)}. */
    public static Scorer of(double pass, double marginal) {
        if (!(pass >= 0 && pass <= 100)) {
            throw new IllegalArgumentException("pass not in [0, 100]");
        }
        if (!(marginal >= 0 && marginal <= pass)) {
            throw new IllegalArgumentException("marginal not in [0, pass]");
        }
        return new Scorer(pass, marginal, Map.of());
    }

    public Scorer withGroupWeights(Map<String, Double> weights) {
        weights.forEach((group, w) -> {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weight of " + group + " must be >= 0");
            }
        });
        return new Scorer(pass, marginal, Map.copyOf(weights));
    }

    public ScoreResult score(List<MetricResult> results) {
        if (results == null) {
            throw new IllegalArgumentException("results == null");
        }
        Tally tally = Tally.of(results);
        Map<String, Double> groupScores = new LinkedHashMap<>();
        double weighted = 0;
        double weights = 0;
        for (Map.Entry<String, double[]> e : tally.groups().entrySet()) {
            double s = 100 * e.getValue()[0] / e.getValue()[1];
            groupScores.put(e.getKey(), s);
            double w = groupWeights.getOrDefault(e.getKey(), 1.0);
            weighted += w * s;
            weights += w;
        }
        double score = weights > 0 ? weighted / weights : Double.NaN;
        Decision decision = decide(results, tally, score);
        return new ScoreResult(score, decision.verdict(), decision.reason(), groupScores, results);
    }

    /**
     * The metric results counted once: per group {pass weight, counted weight} (sorted by group), how many had
     * no data, and the names behind the rules that override the score.
     */
    private record Tally(Map<String, double[]> groups, int noData, List<String> criticalBad,
                         List<String> criticalMissing, List<String> requiredMissing) {

        static Tally of(List<MetricResult> results) {
            Map<String, double[]> groups = new TreeMap<>();
            int noData = 0;
            List<String> criticalBad = new ArrayList<>();
            List<String> criticalMissing = new ArrayList<>();
            List<String> requiredMissing = new ArrayList<>();
            for (MetricResult r : results) {
                MetricSpec spec = r.spec();
                Classification c = r.classification();
                boolean counted = c != Classification.NO_DATA || spec.mustHaveData();
                if (c == Classification.NO_DATA) {
                    noData++;
                    if (spec.mustHaveData()) {
                        requiredMissing.add(spec.name());
                    }
                }
                if (spec.critical() && (c == Classification.HIGH || c == Classification.LOW)) {
                    criticalBad.add(spec.name() + " " + c);
                }
                if (spec.critical() && (c == Classification.NO_DATA || c == Classification.ERROR)) {
                    criticalMissing.add(spec.name() + " " + c);
                }
                if (counted) {
                    double[] g = groups.computeIfAbsent(spec.group(), k -> new double[2]);
                    g[1] += spec.weight();
                    if (c == Classification.PASS) {
                        g[0] += spec.weight();
                    }
                }
            }
            return new Tally(groups, noData, criticalBad, criticalMissing, requiredMissing);
        }
    }

    private record Decision(Verdict verdict, String reason) {
    }

    /** The rules of the class comment, in their order: critical metrics and missing data before the score. */
    private Decision decide(List<MetricResult> results, Tally tally, double score) {
        String scoreText = Double.isNaN(score) ? "no score" : String.format(Locale.ROOT, "score %.1f", score);
        if (results.isEmpty()) {
            return new Decision(Verdict.INCONCLUSIVE, "No metrics were judged.");
        } else if (!tally.criticalBad().isEmpty()) {
            return new Decision(Verdict.ABORT, "Critical metric " + String.join(", ", tally.criticalBad()) + " ("
                + scoreText + ").");
        } else if (!tally.criticalMissing().isEmpty()) {
            return new Decision(Verdict.INCONCLUSIVE, "Critical metric " + String.join(", ", tally.criticalMissing())
                + ": cannot promote without it (" + scoreText + ").");
        } else if (2 * tally.noData() >= results.size()) {
            return new Decision(Verdict.INCONCLUSIVE, tally.noData() + " of " + results.size()
                + " metrics had no data: too little to promote (" + scoreText + ").");
        } else if (Double.isNaN(score)) {
            return new Decision(Verdict.INCONCLUSIVE, "No metric could be counted.");
        } else if (!tally.requiredMissing().isEmpty()) {
            return new Decision(score >= marginal ? Verdict.INCONCLUSIVE : Verdict.ABORT, "Metric "
                + String.join(", ", tally.requiredMissing()) + " must have data but had none (" + scoreText + ").");
        } else if (score >= pass) {
            return new Decision(Verdict.PROMOTE,
                String.format(Locale.ROOT, "Score %.1f reaches the pass threshold %.1f.", score, pass));
        } else if (score >= marginal) {
            return new Decision(Verdict.INCONCLUSIVE, String.format(Locale.ROOT,
                "Score %.1f is marginal (pass %.1f, marginal %.1f)%s.", score, pass, marginal, failing(results)));
        }
        return new Decision(Verdict.ABORT, String.format(Locale.ROOT,
            "Score %.1f is below the marginal threshold %.1f%s.", score, marginal, failing(results)));
    }

    private static String failing(List<MetricResult> results) {
        List<String> bad = new ArrayList<>();
        for (MetricResult r : results) {
            if (r.classification() == Classification.HIGH || r.classification() == Classification.LOW
                || r.classification() == Classification.ERROR) {
                bad.add(r.name() + " " + r.classification());
            }
        }
        return bad.isEmpty() ? "" : "; failing: " + String.join(", ", bad);
    }
}
