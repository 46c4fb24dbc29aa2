package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import io.canaryjudge.judge.Direction;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rank e-process's node sums in stored measurements: compact, bit-exact, and old documents still read. */
class StateDocumentsTest {
    private final ObjectMapper plain = new ObjectMapper();
    private final ObjectMapper service = new ObjectMapper();

    StateDocumentsTest() {
        new StateDocuments().customize(service);
    }

    private static BatchRankEProcess afterTenIntervals(Direction direction) {
        SplittableRandom random = new SplittableRandom(10);
        BatchRankEProcess e = BatchRankEProcess.start(0.05, 0.5, direction);
        for (int i = 0; i < 10; i++) {
            double[] canary = random.doubles(5, 100, 140).toArray();
            double[] stable = random.doubles(7, 95, 130).toArray();
            e = e.update(canary, stable);
        }
        return e;
    }

    @Test
    void nodeSumsRoundTripBitForBitAndTheProcessContinuesTheSame() throws Exception {
        for (Direction d : Direction.values()) {
            BatchRankEProcess e = afterTenIntervals(d);
            String doc = service.writeValueAsString(e);
            JsonNode tree = service.readTree(doc);
            assertTrue(tree.path("ell").isTextual(), doc);
            assertTrue(tree.path("ell").asText().startsWith("201:"), doc);
            BatchRankEProcess restored = service.readValue(doc, BatchRankEProcess.class);
            assertEquals(e, restored);
            double[] original = e.ell();
            double[] back = restored.ell();
            for (int i = 0; i < original.length; i++) {
                assertEquals(Double.doubleToRawLongBits(original[i]), Double.doubleToRawLongBits(back[i]), "node " + i);
            }
            double[] c = {131, 128, 140};
            double[] s = {101, 99, 120, 104};
            assertEquals(e.update(c, s), restored.update(c, s), d + ": the restored process continues identically");
            int before = plain.writeValueAsString(e).length();
            assertTrue(doc.length() < before * (d == Direction.EITHER ? 0.9 : 0.6),
                    d + ": " + doc.length() + " characters vs " + before + " as decimals");
        }
    }

    @Test
    void documentsWrittenWithDecimalArraysStillRead() throws Exception {
        BatchRankEProcess e = afterTenIntervals(Direction.INCREASE);
        String old = plain.writeValueAsString(e);
        assertTrue(plain.readTree(old).path("ell").isArray());
        assertEquals(e, service.readValue(old, BatchRankEProcess.class));
    }

    @Test
    void aFreshProcessAndEdgeValuesEncode() {
        double[] zeros = new double[201];
        assertEquals("201:201:", StateDocuments.encode(zeros));
        assertArrayEquals(zeros, StateDocuments.decode("201:201:"));
        double[] odd = new double[5];
        odd[0] = -0.0;
        odd[2] = Double.MIN_VALUE;
        odd[4] = -1e300;
        double[] back = StateDocuments.decode(StateDocuments.encode(odd));
        for (int i = 0; i < odd.length; i++) {
            assertEquals(Double.doubleToRawLongBits(odd[i]), Double.doubleToRawLongBits(back[i]), "index " + i);
        }
    }

    @Test
    void aDamagedNodeSumStringIsAClearError() {
        InvalidFormatException e = assertThrows(InvalidFormatException.class, () -> service.readValue(
                "{\"alpha\":0.05,\"tau\":0.5,\"direction\":\"INCREASE\",\"looks\":1,\"ell\":\"not-the-format\"}",
                BatchRankEProcess.class));
        assertTrue(e.getMessage().contains("<length>:<first>:<base64>"), e.getMessage());
    }
}
