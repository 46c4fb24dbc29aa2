package io.canaryjudge.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares {@link MannWhitney} with R's wilcox.test on the vectors written by
 * {@code tools/r/golden-wilcox.R}: U exactly, p within 1e-9 relative, estimate and interval within
 * 1e-9 (exact) or 1e-4 absolute (asymptotic — R's uniroot tolerance), infinite ends identical.
 */
class MannWhitneyGoldenTest {

    static final double P_RELATIVE = 1e-9;
    static final double EXACT_ABSOLUTE = 1e-9;
    static final double ASYMPTOTIC_ABSOLUTE = 1e-4;

    @TestFactory
    Stream<DynamicTest> everyGoldenVectorMatchesR() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/judge/wilcox-golden.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            double[] canary = values(c.get("canary"));
            double[] stable = values(c.get("stable"));
            for (JsonNode r : c.get("results")) {
                String name = c.get("name").asText() + " " + r.get("alternative").asText() + " "
                    + r.get("confidenceLevel").asDouble() + " " + r.get("method").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> check(canary, stable, r)));
            }
        }
        return tests.stream();
    }

    private static void check(double[] canary, double[] stable, JsonNode r) {
        MannWhitney test = MannWhitney.withDefaults()
            .with(alternative(r.get("alternative").asText()))
            .with(TestMethod.valueOf(r.get("method").asText()))
            .withConfidenceLevel(r.get("confidenceLevel").asDouble());
        RankSumResult result = test.compare(canary, stable);
        TestMethod expectedMethod = TestMethod.valueOf(r.get("resultMethod").asText());
        assertEquals(expectedMethod, result.method(), "method");
        assertEquals(number(r.get("u")), result.u(), 0.0, "U");
        double p = number(r.get("pValue"));
        assertEquals(p, result.pValue(), P_RELATIVE * p, "p-value");
        double tolerance = expectedMethod == TestMethod.EXACT ? EXACT_ABSOLUTE : ASYMPTOTIC_ABSOLUTE;
        Shift shift = result.shift();
        assertClose(number(r.get("estimate")), shift.estimate(), tolerance, "estimate");
        assertClose(number(r.get("lower")), shift.lower(), tolerance, "lower");
        assertClose(number(r.get("upper")), shift.upper(), tolerance, "upper");
        assertEquals(number(r.get("achievedLevel")), shift.confidenceLevel(), 1e-12, "achieved level");
    }

    private static void assertClose(double expected, double actual, double tolerance, String what) {
        if (Double.isInfinite(expected)) {
            assertEquals(expected, actual, what);
        } else {
            assertEquals(expected, actual, tolerance, what);
        }
    }

    static Alternative alternative(String r) {
        return switch (r) {
            case "two.sided" -> Alternative.TWO_SIDED;
            case "greater" -> Alternative.GREATER;
            case "less" -> Alternative.LESS;
            default -> throw new IllegalArgumentException(r);
        };
    }

    static double number(JsonNode node) {
        if (node.isTextual()) {
            return Double.parseDouble(node.asText()); // "Infinity" / "-Infinity"
        }
        return node.asDouble();
    }

    static double[] values(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }
}
