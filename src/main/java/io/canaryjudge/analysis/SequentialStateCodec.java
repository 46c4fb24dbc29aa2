package io.canaryjudge.analysis;

import static io.canaryjudge.analysis.StoredFields.constant;
import static io.canaryjudge.analysis.StoredFields.doubles;
import static io.canaryjudge.analysis.StoredFields.longs;
import static io.canaryjudge.analysis.StoredFields.present;
import static io.canaryjudge.analysis.StoredFields.text;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.canaryjudge.analysis.SequentialStep.MetricState;
import io.canaryjudge.analysis.SequentialStep.TestState;
import io.canaryjudge.analysis.SequentialStep.ThresholdLook;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.Margins;
import io.canaryjudge.judge.sequential.PairedSignEProcess;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.ShiftEstimate;
import io.canaryjudge.judge.sequential.TailEProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only writer and reader of the state stored with each measurement (ADR 0017): per metric, the sequential
 * state under {@code sequentialState} and the limit counters under {@code counters}. Every field is named here,
 * not taken from a record component, so renaming a component in the judge does not change what is stored; the
 * names are the ones the service has always written. Each metric's entry starts with {@code "version": 1}; an entry
 * without it is version 1 too, one with a version this service does not know is refused. Within a version fields
 * are only added: a field a reader does not know is ignored, a field it misses reads as Jackson read a missing
 * record component (0, false, null), so a count state stored before {@code priorCenter} existed keeps its
 * half-normal weights, and a rank state stored before margins has scale 1. The rank tests' node sums are written
 * compactly ({@link StateDocuments#encode}); the decimal arrays written before still read.
 */
final class SequentialStateCodec {
    /** The version this service writes, and the highest it reads. */
    static final int VERSION = 1;

    private SequentialStateCodec() {
    }

    // ---- sequentialState ----

    /** The states as stored: each metric's entry is written straight into the document when it is written. */
    static ObjectNode toJson(ObjectMapper json, Map<String, MetricState> states) {
        ObjectNode out = json.createObjectNode();
        states.forEach(out::putPOJO);
        return out;
    }

    /** The stored states (an empty map for none); entries not yet written out are read as their JSON. */
    static Map<String, MetricState> fromJson(ObjectMapper json, JsonNode node) {
        Map<String, MetricState> out = new LinkedHashMap<>();
        if (node == null || !node.isObject()) {
            return out;
        }
        node.fields().forEachRemaining(e -> {
            JsonNode n = e.getValue() instanceof POJONode p ? json.valueToTree(p.getPojo()) : e.getValue();
            out.put(e.getKey(), read(e.getKey(), n));
        });
        return out;
    }

    static void write(JsonGenerator g, MetricState s) throws IOException {
        g.writeStartObject();
        g.writeNumberField("version", VERSION);
        g.writeNumberField("dataIntervals", s.dataIntervals());
        g.writeNumberField("noDataIntervals", s.noDataIntervals());
        g.writeNumberField("consecutiveErrors", s.consecutiveErrors());
        if (s.threshold() != null) {
            ThresholdLook t = s.threshold();
            g.writeObjectFieldStart(SequentialStep.THRESHOLD);
            g.writeStringField("classification", t.classification() == null ? null : t.classification().name());
            g.writeStringField("rule", t.rule());
            g.writeStringField("explanation", t.explanation());
            g.writeNumberField("canaryLevel", t.canaryLevel());
            g.writeNumberField("stableLevel", t.stableLevel());
            g.writeNumberField("breaches", t.breaches());
            g.writeEndObject();
        }
        if (s.shift().intervals() > 0) {
            g.writeObjectFieldStart("shift");
            g.writeNumberField("sumLogRatio", s.shift().sumLogRatio());
            g.writeNumberField("weight", s.shift().weight());
            g.writeNumberField("intervals", s.shift().intervals());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("tests");
        for (TestState t : s.tests()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("type", t.type());
            g.writeFieldName("state");
            write(g, t.state());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    static MetricState read(String metric, JsonNode n) {
        version(n, "sequential state of " + metric);
        List<TestState> tests = new ArrayList<>();
        for (JsonNode x : n.path("tests")) {
            String type = x.path("type").asText();
            tests.add(new TestState(x.path("name").asText(), type, state(type, x.path("state"))));
        }
        JsonNode t = n.path(SequentialStep.THRESHOLD);
        ThresholdLook look = present(t) ? new ThresholdLook(constant(t, "classification", Classification.class),
                text(t, "rule"), text(t, "explanation"), t.path("canaryLevel").asDouble(),
                t.path("stableLevel").asDouble(), t.path("breaches").asInt()) : null;
        JsonNode s = n.path("shift");
        ShiftEstimate shift = present(s) ? new ShiftEstimate(s.path("sumLogRatio").asDouble(),
                s.path("weight").asDouble(), s.path("intervals").asInt()) : null;
        return new MetricState(List.copyOf(tests), n.path("dataIntervals").asInt(), n.path("noDataIntervals").asInt(),
                n.path("consecutiveErrors").asInt(), look, shift);
    }

    // ---- the e-process of each test type ----

    private static void write(JsonGenerator g, SequentialState state) throws IOException {
        g.writeStartObject();
        if (state instanceof CountRatioEProcess c) {
            counts(g, c);
        } else if (state instanceof BatchRankEProcess r) {
            ranks(g, r);
        } else if (state instanceof RankZMixture z) {
            head(g, z.alpha(), "vOpt", z.vOpt(), z.direction());
            g.writeNumberField("scale", z.scale());
            g.writeNumberField("looks", z.looks());
            g.writeNumberField("intervals", z.intervals());
            g.writeNumberField("sumZ", z.sumZ());
            tail(g, z.logM(), z.maxLogM());
        } else if (state instanceof QuantileEProcess q) {
            quantile(g, q);
        } else if (state instanceof HistogramQuantileEProcess q) {
            quantile(g, q);
        } else if (state instanceof TailEProcess t) {
            g.writeNumberField("quantile", t.quantile());
            g.writeNumberField("nextThreshold", t.nextThreshold());
            g.writeNumberField("lastThreshold", t.lastThreshold());
            g.writeFieldName("counts");
            write(g, t.counts());
        } else if (state instanceof PairedSignEProcess p) {
            g.writeNumberField("alpha", p.alpha());
            direction(g, p.direction());
            g.writeNumberField("scale", p.scale());
            g.writeNumberField("looks", p.looks());
            g.writeNumberField("worse", p.worse());
            g.writeNumberField("better", p.better());
            tail(g, p.logM(), p.maxLogM());
        } else {
            throw new IllegalArgumentException("no stored form for " + state.test());
        }
        g.writeEndObject();
    }

    private static void ranks(JsonGenerator g, BatchRankEProcess r) throws IOException {
        head(g, r.alpha(), "tau", r.tau(), r.direction());
        g.writeNumberField("scale", r.scale());
        g.writeNumberField("looks", r.looks());
        g.writeStringField("ell", StateDocuments.encode(r.ell()));
        tail(g, r.logM(), r.maxLogM());
        g.writeNumberField("sumU", r.sumU());
        g.writeNumberField("sumPairs", r.sumPairs());
        g.writeNumberField("lastAuc", r.lastAuc());
    }

    private static void quantile(JsonGenerator g, QuantileEProcess q) throws IOException {
        head(g, q.alpha(), "p", q.p(), null);
        g.writeNumberField("tOpt", q.tOpt());
        direction(g, q.direction());
        g.writeNumberField("looks", q.looks());
        g.writeFieldName("canary");
        g.writeArray(q.canary(), 0, q.canary().length);
        g.writeFieldName("stable");
        g.writeArray(q.stable(), 0, q.stable().length);
        tail(g, q.logM(), q.maxLogM());
        g.writeBooleanField("regression", q.regression());
    }

    private static void quantile(JsonGenerator g, HistogramQuantileEProcess q) throws IOException {
        head(g, q.alpha(), "p", q.p(), null);
        g.writeNumberField("tOpt", q.tOpt());
        direction(g, q.direction());
        g.writeNumberField("looks", q.looks());
        g.writeFieldName("bounds");
        g.writeArray(q.bounds(), 0, q.bounds().length);
        g.writeFieldName("canary");
        g.writeArray(q.canary(), 0, q.canary().length);
        g.writeFieldName("stable");
        g.writeArray(q.stable(), 0, q.stable().length);
        tail(g, q.logM(), q.maxLogM());
        g.writeBooleanField("regression", q.regression());
    }

    private static void counts(JsonGenerator g, CountRatioEProcess c) throws IOException {
        head(g, c.alpha(), "sigma", c.sigma(), c.direction());
        if (c.margins() == null) {
            g.writeNullField("margins");
        } else {
            g.writeObjectFieldStart("margins");
            g.writeNumberField("tolerance", c.margins().tolerance());
            g.writeNumberField("detectable", c.margins().detectable());
            g.writeEndObject();
        }
        g.writeNumberField("looks", c.looks());
        g.writeNumberField("canaryErrors", c.canaryErrors());
        g.writeNumberField("stableErrors", c.stableErrors());
        g.writeNumberField("canaryExposure", c.canaryExposure());
        g.writeNumberField("stableExposure", c.stableExposure());
        g.writeArrayFieldStart("strata");
        for (CountRatioEProcess.Stratum s : c.strata()) {
            g.writeStartObject();
            g.writeNumberField("q", s.q());
            g.writeNumberField("errors", s.errors());
            g.writeEndObject();
        }
        g.writeEndArray();
        tail(g, c.logM(), c.maxLogM());
        g.writeNumberField("ruleOutLogM", c.ruleOutLogM());
        g.writeNumberField("withinLogM", c.withinLogM());
        g.writeNumberField("lower", c.lower());
        g.writeNumberField("upper", c.upper());
        g.writeNumberField("priorCenter", c.priorCenter());
    }

    private static SequentialState state(String type, JsonNode n) {
        return switch (type) {
            case SequentialStep.COUNTS -> counts(n);
            case SequentialStep.RANKS, SequentialStep.RANKS_RULE_OUT, SequentialStep.RANKS_WITHIN ->
                new BatchRankEProcess(n.path("alpha").asDouble(), n.path("tau").asDouble(), direction(n),
                        n.path("scale").asDouble(), n.path("looks").asInt(), nodeSums(n.path("ell")),
                        n.path("logM").asDouble(), n.path("maxLogM").asDouble(), n.path("sumU").asDouble(),
                        n.path("sumPairs").asDouble(), n.path("lastAuc").asDouble());
            case SequentialStep.RANKS_FAST -> new RankZMixture(n.path("alpha").asDouble(), n.path("vOpt").asDouble(),
                    direction(n), n.path("scale").asDouble(), n.path("looks").asInt(), n.path("intervals").asInt(),
                    n.path("sumZ").asDouble(), n.path("logM").asDouble(), n.path("maxLogM").asDouble());
            case SequentialStep.QUANTILE -> new QuantileEProcess(n.path("alpha").asDouble(), n.path("p").asDouble(),
                    n.path("tOpt").asDouble(), direction(n), n.path("looks").asInt(), doubles(n.path("canary")),
                    doubles(n.path("stable")), n.path("logM").asDouble(), n.path("maxLogM").asDouble(),
                    n.path("regression").asBoolean());
            case SequentialStep.QUANTILE_BUCKETS -> new HistogramQuantileEProcess(n.path("alpha").asDouble(),
                    n.path("p").asDouble(), n.path("tOpt").asDouble(), direction(n), n.path("looks").asInt(),
                    doubles(n.path("bounds")), longs(n.path("canary")), longs(n.path("stable")),
                    n.path("logM").asDouble(), n.path("maxLogM").asDouble(), n.path("regression").asBoolean());
            case SequentialStep.TAIL -> new TailEProcess(n.path("quantile").asDouble(),
                    n.path("nextThreshold").asDouble(), n.path("lastThreshold").asDouble(),
                    present(n.path("counts")) ? counts(n.path("counts")) : null);
            case SequentialStep.SIGN, SequentialStep.SIGN_RULE_OUT, SequentialStep.SIGN_WITHIN ->
                new PairedSignEProcess(n.path("alpha").asDouble(), direction(n), n.path("scale").asDouble(),
                        n.path("looks").asInt(), n.path("worse").asInt(), n.path("better").asInt(),
                        n.path("logM").asDouble(), n.path("maxLogM").asDouble());
            default -> throw new IllegalArgumentException("unknown sequential test type " + type);
        };
    }

    private static CountRatioEProcess counts(JsonNode n) {
        JsonNode g = n.path("margins");
        List<CountRatioEProcess.Stratum> strata = null;
        if (present(n.path("strata"))) {
            strata = new ArrayList<>();
            for (JsonNode s : n.path("strata")) {
                strata.add(new CountRatioEProcess.Stratum(s.path("q").asDouble(), s.path("errors").asLong()));
            }
        }
        return new CountRatioEProcess(n.path("alpha").asDouble(), n.path("sigma").asDouble(), direction(n),
                present(g) ? new Margins(g.path("tolerance").asDouble(), g.path("detectable").asDouble()) : null,
                n.path("looks").asInt(), n.path("canaryErrors").asLong(), n.path("stableErrors").asLong(),
                n.path("canaryExposure").asDouble(), n.path("stableExposure").asDouble(), strata,
                n.path("logM").asDouble(), n.path("maxLogM").asDouble(), n.path("ruleOutLogM").asDouble(),
                n.path("withinLogM").asDouble(), n.path("lower").asDouble(), n.path("upper").asDouble(),
                n.path("priorCenter").asInt());
    }

    // ---- counters ----

    static void write(JsonGenerator g, Lifecycle.Counters c) throws IOException {
        g.writeStartObject();
        g.writeNumberField("version", VERSION);
        g.writeNumberField("failures", c.failures());
        g.writeNumberField("inconclusives", c.inconclusives());
        g.writeNumberField("consecutiveErrors", c.consecutiveErrors());
        g.writeStringField("lastFailure", c.lastFailure());
        g.writeEndObject();
    }

    static Lifecycle.Counters counters(JsonNode n) {
        version(n, "limit counters");
        return new Lifecycle.Counters(n.path("failures").asInt(), n.path("inconclusives").asInt(),
                n.path("consecutiveErrors").asInt(), text(n, "lastFailure"));
    }

    // ---- fields ----

    private static void version(JsonNode n, String what) {
        JsonNode v = n.path("version");
        if (present(v) && (!v.canConvertToExactIntegral() || v.asInt() < 1 || v.asInt() > VERSION)) {
            throw new IllegalArgumentException(what + " has version " + v + "; this service reads versions 1 to "
                    + VERSION);
        }
    }

    private static void head(JsonGenerator g, double alpha, String name, double value, Direction d) throws IOException {
        g.writeNumberField("alpha", alpha);
        g.writeNumberField(name, value);
        if (d != null) {
            direction(g, d);
        }
    }

    private static void tail(JsonGenerator g, double logM, double maxLogM) throws IOException {
        g.writeNumberField("logM", logM);
        g.writeNumberField("maxLogM", maxLogM);
    }

    private static void direction(JsonGenerator g, Direction d) throws IOException {
        g.writeStringField("direction", d == null ? null : d.name());
    }

    private static Direction direction(JsonNode n) {
        return constant(n, "direction", Direction.class);
    }

    /** Node sums: the compact string, or the decimal array written before it. */
    private static double[] nodeSums(JsonNode n) {
        return n.isTextual() ? StateDocuments.decode(n.asText()) : doubles(n);
    }
}
