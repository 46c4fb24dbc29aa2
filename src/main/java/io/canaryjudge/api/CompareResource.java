package io.canaryjudge.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.canaryjudge.judge.Alternative;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.MetricJudge;
import io.canaryjudge.judge.MetricKind;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.MetricSpec;
import io.canaryjudge.judge.RankSumResult;
import io.canaryjudge.judge.MannWhitney;
import io.canaryjudge.judge.Sample;
import io.canaryjudge.judge.TestMethod;
import io.canaryjudge.judge.Tolerance;
import io.canaryjudge.problem.InvalidInputException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The judge without a deployment: Mann-Whitney U and the Hodges-Lehmann shift of two samples, as R computes them. */
@Path("/api/v1/compare")
@Tag(name = "compare")
public class CompareResource {
    static final int MAX_VALUES = 1_000_000;
    private static final MetricJudge JUDGE = new MetricJudge();

    /**
     * @param direction  optional metric setting: increase, decrease or either; with it the answer carries a classification
     * @param tolerance  optional relative tolerance (fraction of the stable median) for the classification
     * @param absoluteTolerance optional absolute tolerance for the classification
     */
    public record CompareRequest(double[] canary, double[] stable, String alternative, Double confidenceLevel,
                                 String method, String direction, Double tolerance, Double absoluteTolerance,
                                 Integer minSamples) {
    }

    /** Shift of canary − stable with its interval; an infinite end (one-sided) is written as null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ShiftView(Double estimate, Double lower, Double upper, double confidenceLevel) {
    }

    /** The answer; classification fields are present only when the request carried metric settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CompareResponse(double u, double pValue, String method, String alternative, ShiftView shift,
                                  int canaryCount, int stableCount, String classification, String rule,
                                  String explanation, Double effect) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Compare two samples", description = "Mann-Whitney U of the canary sample, p-value and the "
            + "Hodges-Lehmann shift (canary - stable) with its confidence interval. With method auto the numbers equal "
            + "R's wilcox.test(canary, stable, alternative, conf.int=TRUE, conf.level, correct=TRUE).")
    public CompareResponse compare(CompareRequest req) {
        if (req == null) {
            throw new InvalidInputException("$", "a JSON object with canary and stable arrays is required");
        }
        double[] canary = values("canary", req.canary());
        double[] stable = values("stable", req.stable());
        Alternative alternative = alternative(req.alternative());
        TestMethod method = method(req.method());
        double level = req.confidenceLevel() == null ? 0.95 : req.confidenceLevel();
        if (!(level > 0 && level < 1)) {
            throw new InvalidInputException("confidenceLevel", "confidenceLevel must be strictly between 0 and 1");
        }
        RankSumResult r = MannWhitney.withDefaults().with(alternative).with(method).withConfidenceLevel(level)
                .compare(canary, stable);
        ShiftView shift = new ShiftView(finite(r.shift().estimate()), finite(r.shift().lower()), finite(r.shift().upper()),
                r.shift().confidenceLevel());
        String cls = null;
        String rule = null;
        String explanation = null;
        Double effect = null;
        if (req.direction() != null || req.tolerance() != null || req.absoluteTolerance() != null) {
            MetricSpec.Builder spec = MetricSpec.builder("compare", MetricKind.CONTINUOUS)
                    .direction(direction(req.direction())).confidenceLevel(level);
            // without either tolerance the template metric's default (10 % of stable) applies, so the same data get
            // the same classification here as in an analysis
            if (req.tolerance() != null || req.absoluteTolerance() != null) {
                spec.tolerance(new Tolerance(nonNegative("tolerance", req.tolerance()),
                        nonNegative("absoluteTolerance", req.absoluteTolerance())));
            }
            if (req.minSamples() != null) {
                if (req.minSamples() < 1) {
                    throw new InvalidInputException("minSamples", "minSamples must be at least 1");
                }
                spec.minSamples(req.minSamples());
            }
            MetricResult m = JUDGE.judge(spec.build(), new Sample.Continuous(canary, stable));
            cls = m.classification().name();
            rule = m.rule();
            explanation = m.explanation();
            effect = finite(m.effect());
        }
        return new CompareResponse(r.u(), r.pValue(), r.method().name().toLowerCase(Locale.ROOT),
                alternativeName(alternative), shift, canary.length, stable.length, cls, rule, explanation, effect);
    }

    private static double[] values(String field, double[] values) {
        if (values == null) {
            throw new InvalidInputException(field, field + " is required: an array of numbers");
        }
        if (values.length == 0) {
            throw new InvalidInputException(field, field + " must not be empty");
        }
        if (values.length > MAX_VALUES) {
            throw new InvalidInputException(field, field + " has " + values.length + " values, more than the limit of "
                    + MAX_VALUES);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new InvalidInputException(field + "[" + i + "]", field + "[" + i + "] is " + values[i]
                        + ": only finite numbers can be compared");
            }
        }
        return Arrays.copyOf(values, values.length);
    }

    private static Alternative alternative(String text) {
        if (text == null) {
            return Alternative.TWO_SIDED;
        }
        return switch (text) {
            case "two-sided", "two.sided" -> Alternative.TWO_SIDED;
            case "greater" -> Alternative.GREATER;
            case "less" -> Alternative.LESS;
            default -> throw new InvalidInputException("alternative",
                    "unknown alternative '" + text + "', expected two-sided, greater or less");
        };
    }

    private static String alternativeName(Alternative a) {
        return switch (a) {
            case TWO_SIDED -> "two-sided";
            case GREATER -> "greater";
            case LESS -> "less";
        };
    }

    private static TestMethod method(String text) {
        if (text == null) {
            return TestMethod.AUTO;
        }
        return switch (text) {
            case "auto" -> TestMethod.AUTO;
            case "exact" -> TestMethod.EXACT;
            case "asymptotic" -> TestMethod.ASYMPTOTIC;
            default -> throw new InvalidInputException("method",
                    "unknown method '" + text + "', expected auto, exact or asymptotic");
        };
    }

    private static Direction direction(String text) {
        if (text == null) {
            return Direction.INCREASE;
        }
        return switch (text) {
            case "increase" -> Direction.INCREASE;
            case "decrease" -> Direction.DECREASE;
            case "either" -> Direction.EITHER;
            default -> throw new InvalidInputException("direction",
                    "unknown direction '" + text + "', expected increase, decrease or either");
        };
    }

    private static double nonNegative(String field, Double d) {
        if (d == null) {
            return 0;
        }
        if (!(d >= 0) || d.isInfinite()) {
            throw new InvalidInputException(field, field + " must be a finite number >= 0");
        }
        return d;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
