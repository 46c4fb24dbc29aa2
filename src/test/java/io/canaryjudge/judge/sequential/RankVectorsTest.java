package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.canaryjudge.judge.Direction;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** docs/statistics.md, Checked against batch rank vectors (ties, and the canary as the larger cohort in batch 3): 1e-9 absolute. */
class RankVectorsTest {

    @Test
    void everyRankVectorMatchesTheReference() throws IOException {
        JsonNode batches = CountVectorsTest.read("/judge/sequential/sequential-rank-vectors.json");
        BatchRankEProcess e = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE);
        int t = 0;
        for (JsonNode batch : batches) {
            t++;
            e = e.update(values(batch.get("canary")), values(batch.get("stable")));
            assertEquals(batch.get("logM").asDouble(), e.logM(), 1e-9, "logM at batch " + t);
            CountVectorsTest.assertRelative(batch.get("M").asDouble(), Math.exp(e.logM()), 1e-9, "M at batch " + t);
            assertEquals(batch.get("reject_at_0.05").asBoolean(), e.crossed(), "reject at batch " + t);
        }
        assertEquals(3, e.looks());
    }

    static double[] values(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }
}
