package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.MetricJudge;
import io.canaryjudge.judge.MetricKind;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.MetricSpec;
import io.canaryjudge.judge.Sample;
import io.canaryjudge.judge.Shift;
import io.canaryjudge.judge.Threshold;
import io.canaryjudge.judge.Tolerance;
import io.canaryjudge.template.MetricTemplate;

/** Adapter between the template/observation world and the framework-free judge. */
final class Judging {
    private static final MetricJudge JUDGE = new MetricJudge();
    private final ObjectMapper json;

    Judging(ObjectMapper json) {
        this.json = json;
    }

    /** The judge's spec for a template metric; template defaults are the judge's defaults. */
    static MetricSpec spec(MetricTemplate m) {
        MetricKind kind = switch (m.kind()) {
            case CONTINUOUS -> MetricKind.CONTINUOUS;
            case COUNTS -> MetricKind.COUNTS;
            case THRESHOLD -> MetricKind.THRESHOLD;
        };
        MetricSpec.Builder b = MetricSpec.builder(m.name(), kind)
                .direction(switch (m.directionOrDefault()) {
                    case INCREASE -> Direction.INCREASE;
                    case DECREASE -> Direction.DECREASE;
                    case EITHER -> Direction.EITHER;
                })
                .critical(m.isCritical())
                .mustHaveData(m.isMustHaveData());
        if (m.tolerance() != null) {
            b.tolerance(new Tolerance(orZero(m.tolerance().relative()), orZero(m.tolerance().absolute())));
        }
        if (m.minSamples() != null) {
            b.minSamples(m.minSamples());
        }
        if (m.group() != null) {
            b.group(m.group());
        }
        if (m.weight() != null) {
            b.weight(m.weight());
        }
        if (m.thresholds() != null) {
            MetricTemplate.Bounds t = m.thresholds();
            b.threshold(Threshold.atQuantile(t.quantile() == null ? 0.5 : t.quantile())
                    .withAbsolute(orNaN(t.lower()), orNaN(t.upper()))
                    .withRelative(orNaN(t.lowerRelative()), orNaN(t.upperRelative())));
        } else if (kind == MetricKind.THRESHOLD) {
            b.threshold(Threshold.atQuantile(0.5));
        }
        return b.build();
    }

    /**
     * NaN and infinite samples per the metric's policy: dropped (the judge drops and counts them), zero, or an
     * error of the whole metric. Counts are sums of finite values already.
     */
    static Observation applyNanPolicy(MetricTemplate m, Observation o) {
        if (o.error() != null || m.kind() == MetricTemplate.MetricKindName.COUNTS) {
            return o;
        }
        return switch (m.nanPolicyOrDefault()) {
            case DROP -> o;
            case ZERO -> new Observation(o.metric(), zero(o.canary()), zero(o.stable()), null);
            case ERROR -> nonFinite(o.canary()) || nonFinite(o.stable())
                    ? Observation.failed(o.metric(), "NaN or infinite samples and nanPolicy is error") : o;
        };
    }

    private static Observation.CohortData zero(Observation.CohortData c) {
        double[] v = c.values().clone();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                v[i] = 0;
            }
        }
        return new Observation.CohortData(c.queries(), v, c.times(), c.events(), c.exposure(), c.buckets());
    }

    private static boolean nonFinite(Observation.CohortData c) {
        for (double v : c.values()) {
            if (!Double.isFinite(v)) {
                return true;
            }
        }
        return false;
    }

    /** Fixed mode's judgement of one interval's values (sequential mode's threshold metrics). */
    static MetricResult judgeInterval(MetricTemplate m, Observation o) {
        return JUDGE.judge(spec(m), new Sample.Continuous(o.canary().values(), o.stable().values()));
    }

    MetricResult judge(MetricSpec spec, Observation o) {
        if (o.error() != null) {
            return new MetricResult(spec, Classification.ERROR, "query-failed", spec.name() + " has ERROR: " + o.error(),
                    0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN);
        }
        Sample sample = spec.kind() == MetricKind.COUNTS
                ? new Sample.Counts(o.canary().events(), orZero(o.canary().exposure()), o.stable().events(),
                        orZero(o.stable().exposure()))
                : new Sample.Continuous(o.canary().values(), o.stable().values());
        return JUDGE.judge(spec, sample);
    }

    /** The judge's numbers of one metric, merged into the metric's JSON next to the raw cohort data. */
    void describe(MetricResult r, ObjectNode metric) {
        metric.put("classification", r.classification().name());
        metric.put("rule", r.rule());
        metric.put("explanation", r.explanation());
        metric.put("group", r.spec().group());
        cohort(metric, "canary", r.canaryCount(), r.canaryDropped(), r.canaryLevel());
        cohort(metric, "stable", r.stableCount(), r.stableDropped(), r.stableLevel());
        number(metric, "u", r.u());
        number(metric, "pValue", r.pValue());
        Shift s = r.shift();
        if (s != null) {
            ObjectNode shift = metric.putObject(r.spec().kind() == MetricKind.COUNTS ? "rateRatio" : "shift");
            number(shift, "estimate", s.estimate());
            number(shift, "lower", s.lower());
            number(shift, "upper", s.upper());
            shift.put("confidenceLevel", s.confidenceLevel());
        }
        number(metric, "effect", r.effect());
    }

    private void cohort(ObjectNode metric, String name, int n, int dropped, double level) {
        ObjectNode c = metric.get(name) instanceof ObjectNode o ? o : metric.putObject(name);
        c.put("n", n);
        c.put("dropped", dropped);
        number(c, "level", level);
    }

    static void number(ObjectNode n, String field, double d) {
        if (Double.isFinite(d)) {
            n.put(field, d);
        } else {
            n.putNull(field);
        }
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }
}
