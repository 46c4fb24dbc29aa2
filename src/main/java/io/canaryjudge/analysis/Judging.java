package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.MetricTemplate;
import java.util.Arrays;
import java.util.List;

/** Adapter between observations and the judge. PLACEHOLDER rule until the judge package lands. */
final class Judging {
    private final ObjectMapper json;

    Judging(ObjectMapper json) {
        this.json = json;
    }

    /** One judged metric: classification, explanation and the numbers behind it as JSON. */
    record JudgedMetric(String name, String classification, boolean critical, String explanation, ObjectNode details) {
    }

    /** Scored measurement. */
    record Score(String verdict, Double score, String reason) {
    }

    JudgedMetric judge(MetricTemplate m, Observation o) {
        ObjectNode d = json.createObjectNode();
        if (o.error() != null) {
            return new JudgedMetric(m.name(), "ERROR", m.isCritical(), o.error(), d);
        }
        double c;
        double s;
        if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            if (o.canary().exposure() == null || o.stable().exposure() == null
                    || o.canary().exposure() <= 0 || o.stable().exposure() <= 0) {
                return new JudgedMetric(m.name(), "NO_DATA", m.isCritical(), "no traffic in a cohort", d);
            }
            c = o.canary().events() / o.canary().exposure();
            s = o.stable().events() / o.stable().exposure();
        } else {
            double[] cv = finite(o.canary().values());
            double[] sv = finite(o.stable().values());
            if (cv.length == 0 || sv.length == 0) {
                return new JudgedMetric(m.name(), "NO_DATA", m.isCritical(), "no samples in a cohort", d);
            }
            c = median(cv);
            s = median(sv);
        }
        double tol = m.tolerance() == null || m.tolerance().relative() == null ? 0.1 : m.tolerance().relative();
        String cls = c > s * (1 + tol) && c - s > 1e-12 ? "HIGH" : c < s * (1 - tol) ? "LOW" : "PASS";
        if (cls.equals("LOW") && m.directionOrDefault() == MetricTemplate.DirectionName.INCREASE
                || cls.equals("HIGH") && m.directionOrDefault() == MetricTemplate.DirectionName.DECREASE) {
            cls = "PASS";
        }
        d.put("canaryLevel", c);
        d.put("stableLevel", s);
        return new JudgedMetric(m.name(), cls, m.isCritical(), "canary " + c + " vs stable " + s, d);
    }

    Score score(AnalysisTemplate t, List<JudgedMetric> metrics) {
        int pass = 0;
        for (JudgedMetric jm : metrics) {
            if (jm.critical() && (jm.classification().equals("HIGH") || jm.classification().equals("LOW"))) {
                return new Score("ABORT", 0.0, "critical metric " + jm.name() + " is " + jm.classification());
            }
            if (jm.critical() && !jm.classification().equals("PASS")) {
                return new Score("INCONCLUSIVE", null, "critical metric " + jm.name() + " is " + jm.classification());
            }
            pass += jm.classification().equals("PASS") ? 1 : 0;
        }
        double score = 100.0 * pass / metrics.size();
        String verdict = score >= t.pass() ? "PROMOTE" : score >= t.marginal() ? "INCONCLUSIVE" : "ABORT";
        return new Score(verdict, score, "score " + score);
    }

    private static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
