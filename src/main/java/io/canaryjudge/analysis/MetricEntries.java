package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.sequential.SequentialDecision;
import io.canaryjudge.template.MetricTemplate;

/**
 * One metric's entry in a measurement's document: its identity, what was read for each cohort and what was judged of
 * it. The live engine's entries keep each cohort's raw values and a sequential interval's bucket counts (the web page
 * draws them), and hold the interval and bucket counts as POJOs, serialised once when the document is stored (ADR
 * 0006); a backtest's leave the raw values and buckets out and are plain trees.
 */
final class MetricEntries {
    private final ObjectMapper json;
    private final Judging judging;
    private final boolean raw;
    private final int maxStoredValues;

    MetricEntries(ObjectMapper json, Judging judging, boolean raw, int maxStoredValues) {
        this.json = json;
        this.judging = judging;
        this.raw = raw;
        this.maxStoredValues = maxStoredValues;
    }

    /** Fixed mode: what was read over the cumulative window and the judge's numbers. */
    ObjectNode fixed(MetricTemplate m, Observation o, MetricResult r) {
        ObjectNode n = observation(m, o);
        judging.describe(r, n);
        return n;
    }

    /**
     * Sequential mode: what was read over the interval (a counts metric's interval, the exact per-bucket counts fed to
     * the tests) and the e-processes' state, with the fields fixed mode stores too, read by the Argo, Flagger and
     * Kayenta endpoints and the web page.
     */
    ObjectNode sequential(MetricTemplate m, Observation o, SequentialStep.MetricState state, SequentialDecision d) {
        ObjectNode n = observation(m, o);
        if (o.error() == null && m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            n.set("interval", value(SequentialStep.interval(o)));
        }
        Buckets.Paired buckets = raw && o.error() == null ? SequentialStep.histogram(o) : null;
        if (buckets != null) {
            ObjectNode b = n.putObject("buckets"); // le = upper edge
            ArrayNode le = b.putArray("le");
            for (double x : buckets.bounds()) {
                le.add(x);
            }
            le.add("+Inf");
            b.putPOJO("canary", buckets.canary());
            b.putPOJO("stable", buckets.stable());
        }
        n.put("classification", SequentialStep.classification(m, state, o).name());
        n.put("explanation", SequentialStep.explanation(m, state, d));
        n.set("sequential", SequentialStep.describe(json, m, state, d));
        return n;
    }

    private JsonNode value(Object pojo) {
        return raw ? json.getNodeFactory().pojoNode(pojo) : json.valueToTree(pojo);
    }

    /** What was read for one metric: its identity, the error or each cohort's queries and values. */
    private ObjectNode observation(MetricTemplate m, Observation o) {
        ObjectNode n = json.createObjectNode();
        n.put("name", m.name());
        n.put("kind", m.kind().name().toLowerCase());
        n.put("critical", m.isCritical());
        if (m.isDryRun()) {
            n.put("dryRun", true);
        }
        if (o.error() != null) {
            n.put("error", o.error());
        } else {
            n.set("canary", cohort(o.canary()));
            n.set("stable", cohort(o.stable()));
        }
        return n;
    }

    private ObjectNode cohort(Observation.CohortData c) {
        ObjectNode n = json.createObjectNode();
        ArrayNode q = n.putArray("queries");
        c.queries().forEach(q::add);
        if (c.exposure() != null || c.events() != null) {
            Judging.number(n, "events", c.events() == null ? Double.NaN : c.events());
            Judging.number(n, "exposure", c.exposure() == null ? Double.NaN : c.exposure());
        } else if (raw) {
            int keep = Math.min(c.values().length, maxStoredValues);
            ArrayNode values = n.putArray("values");
            ArrayNode times = n.putArray("times");
            for (int i = 0; i < keep; i++) {
                if (Double.isFinite(c.values()[i])) {
                    values.add(c.values()[i]);
                } else {
                    values.addNull();
                }
                times.add(c.times()[i]);
            }
        }
        return n;
    }
}
