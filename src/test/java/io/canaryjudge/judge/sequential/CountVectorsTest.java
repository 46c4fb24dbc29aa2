package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Direction;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/statistics.md, Checked against count vectors (independent numpy/scipy reference): ln M one- and two-sided and the
 * Lindon-Malek factors to 1e-9 absolute, M and p to 1e-9 relative, the ratio MLE and CS to 1e-7 relative.
 */
class CountVectorsTest {

    static final double LOG_ABSOLUTE = 1e-9;
    static final double VALUE_RELATIVE = 1e-9;
    static final double RATIO_RELATIVE = 1e-7;

    @TestFactory
    Stream<DynamicTest> everyCountVectorMatchesTheReference() throws IOException {
        JsonNode root = read("/judge/sequential/sequential-count-vectors.json");
        assertEquals(CountRatioEProcess.STEP, root.get("h").asDouble());
        assertEquals(CountRatioEProcess.NODES, root.get("J").asInt());
        double alpha = root.get("alpha").asDouble();
        double sigma = root.get("sigma").asDouble();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode example : root.get("examples")) {
            String name = example.get("name").asText();
            CountRatioEProcess one = CountRatioEProcess.start(alpha, sigma, Direction.INCREASE);
            CountRatioEProcess two = CountRatioEProcess.start(alpha, sigma, Direction.EITHER);
            JsonNode first = example.get("rows").get(0);
            double q = first.get("q").asDouble();
            BetaBinomialLM lmOne = BetaBinomialLM.start(alpha, q, Direction.INCREASE);
            BetaBinomialLM lmTwo = BetaBinomialLM.start(alpha, q, Direction.EITHER);
            for (JsonNode row : example.get("rows")) {
                CountInterval interval = new CountInterval(row.get("yc").asLong(), row.get("ys").asLong(),
                    row.get("ec").asDouble(), row.get("es").asDouble());
                one = one.update(interval);
                two = two.update(interval);
                lmOne = lmOne.update(interval.canaryErrors(), interval.stableErrors());
                lmTwo = lmTwo.update(interval.canaryErrors(), interval.stableErrors());
                CountRatioEProcess o = one;
                CountRatioEProcess t = two;
                BetaBinomialLM lo = lmOne;
                BetaBinomialLM lt = lmTwo;
                tests.add(DynamicTest.dynamicTest(name + " t=" + row.get("t").asInt(), () -> check(row, o, t, lo, lt)));
            }
        }
        return tests.stream();
    }

    private static void check(JsonNode row, CountRatioEProcess one, CountRatioEProcess two, BetaBinomialLM lmOne,
                              BetaBinomialLM lmTwo) {
        assertEquals(row.get("logM_onesided").asDouble(), one.logM(), LOG_ABSOLUTE, "logM_onesided");
        assertRelative(row.get("M_onesided").asDouble(), Math.exp(one.logM()), VALUE_RELATIVE, "M_onesided");
        assertRelative(row.get("p_anytime").asDouble(), one.pValue(), VALUE_RELATIVE, "p_anytime");
        assertEquals(row.get("reject").asBoolean(), one.crossed(), "reject");
        assertEquals(row.get("logM_twosided").asDouble(), two.logM(), LOG_ABSOLUTE, "logM_twosided");
        assertEquals(row.get("logM_twosided").asDouble(), one.logMTwoSided(), LOG_ABSOLUTE, "logMTwoSided()");
        RateRatio cs = one.confidenceSequence();
        assertRelative(number(row.get("ratio_mle")), cs.estimate(), RATIO_RELATIVE, "ratio_mle");
        assertRelative(number(row.get("ratio_cs95").get(0)), cs.lower(), RATIO_RELATIVE, "cs lower");
        assertRelative(number(row.get("ratio_cs95").get(1)), cs.upper(), RATIO_RELATIVE, "cs upper");
        assertEquals(two.confidenceSequence(), cs, "the CS does not depend on the tested direction");
        if (row.has("lm_k")) {
            assertEquals(row.get("lm_k").asDouble(), lmOne.k(), 1e-12, "lm_k");
            assertEquals(row.get("lm_logBF_twosided").asDouble(), lmTwo.logM(), LOG_ABSOLUTE, "lm_logBF_twosided");
            assertEquals(row.get("lm_logBF_onesided").asDouble(), lmOne.logM(), LOG_ABSOLUTE, "lm_logBF_onesided");
        }
    }

    static double number(JsonNode n) {
        if (n.isNull()) {
            return Double.NaN;
        }
        if (n.isTextual() && n.asText().equals("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        return n.asDouble();
    }

    static void assertRelative(double expected, double actual, double relative, String what) {
        if (Double.isNaN(expected) || Double.isInfinite(expected) || expected == 0) {
            assertEquals(expected, actual, what);
        } else {
            assertEquals(expected, actual, relative * Math.abs(expected), what);
        }
    }

    static JsonNode read(String resource) throws IOException {
        try (InputStream in = CountVectorsTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not on the test class path");
            }
            return new ObjectMapper().readTree(in);
        }
    }
}
