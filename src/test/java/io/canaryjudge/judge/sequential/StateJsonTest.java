package io.canaryjudge.judge.sequential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Direction;
import org.junit.jupiter.api.Test;

/** Every state survives a Jackson round trip, and a restored process continues exactly where it was. */
class StateJsonTest {

    private final ObjectMapper json = new ObjectMapper();

    private <T> T roundTrip(T state, Class<T> type) throws Exception {
        return json.readValue(json.writeValueAsString(state), type);
    }

    @Test
    void countProcessRestoredFromJsonContinuesTheSameProcess() throws Exception {
        CountRatioEProcess e = CountRatioEProcess.start(0.05, 0.5, Direction.INCREASE)
            .update(new CountInterval(5, 2, 300, 300)).update(new CountInterval(1, 3, 100, 900))
            .update(new CountInterval(0, 0, 300, 300));
        CountRatioEProcess restored = roundTrip(e, CountRatioEProcess.class);
        assertEquals(e, restored);
        CountInterval next = new CountInterval(8, 4, 500, 500);
        assertEquals(e.update(next), restored.update(next));
        assertEquals(e.confidenceSequence(), restored.confidenceSequence());
    }

    @Test
    void countProcessWithMarginsRoundTrips() throws Exception {
        CountRatioEProcess e = CountRatioEProcess.start(0.05, 0.5, Direction.DECREASE, new Margins(1.25, 3))
            .update(new CountInterval(5, 2, 300, 300)).update(new CountInterval(1, 3, 100, 900));
        CountRatioEProcess restored = roundTrip(e, CountRatioEProcess.class);
        assertEquals(e, restored);
        CountInterval next = new CountInterval(8, 4, 500, 500);
        assertEquals(e.update(next), restored.update(next));
    }

    @Test
    void aCountStateStoredBeforeCentringReadsWithHalfNormalWeights() throws Exception {
        CountRatioEProcess e = CountRatioEProcess.start(0.05, 0.5, Direction.INCREASE, new Margins(1.2, 2))
            .update(new CountInterval(5, 2, 300, 300));
        assertEquals(50, e.priorCenter());
        com.fasterxml.jackson.databind.node.ObjectNode stored = json.valueToTree(e);
        stored.remove("priorCenter");
        CountRatioEProcess old = json.treeToValue(stored, CountRatioEProcess.class);
        assertEquals(0, old.priorCenter(), "a state without the field keeps the weights it started with");
    }

    @Test
    void rankMarginProcessRoundTrips() throws Exception {
        BatchRankEProcess e = BatchRankEProcess.start(0.05, 0.5, Direction.DECREASE, 1.2)
            .updateHistogram(new double[] {0.1, 0.25}, new long[] {3, 5, 1}, new long[] {4, 4, 2});
        BatchRankEProcess restored = roundTrip(e, BatchRankEProcess.class);
        assertEquals(e, restored);
        assertEquals(1.2, restored.scale());
    }

    @Test
    void rankProcessRestoredFromJsonContinuesTheSameProcess() throws Exception {
        BatchRankEProcess fresh = BatchRankEProcess.start(0.05, 0.5, Direction.INCREASE);
        assertEquals(fresh, roundTrip(fresh, BatchRankEProcess.class), "NaN AUC before data survives too");
        BatchRankEProcess e = fresh.update(new double[] {120, 135, 150}, new double[] {100, 98, 110, 97});
        BatchRankEProcess restored = roundTrip(e, BatchRankEProcess.class);
        assertEquals(e, restored);
        double[] c = {130, 140, 125};
        double[] s = {102, 99, 104, 130};
        assertEquals(e.update(c, s), restored.update(c, s));
    }

    @Test
    void quantileFastModeAndBetaBinomialStatesRoundTrip() throws Exception {
        QuantileEProcess q = QuantileEProcess.start(0.05, 0.99, 3000, Direction.INCREASE)
            .update(new double[] {1, 5, 3}, new double[] {2, 2, 9});
        assertEquals(q, roundTrip(q, QuantileEProcess.class));
        RankZMixture z = RankZMixture.start(0.05, 5, Direction.EITHER).update(new double[] {3, 4, 5},
            new double[] {1, 2, 3});
        assertEquals(z, roundTrip(z, RankZMixture.class));
        BetaBinomialLM lm = BetaBinomialLM.start(0.05, 0.5, Direction.INCREASE).update(5, 2);
        assertEquals(lm, roundTrip(lm, BetaBinomialLM.class));
        SequentialConfig config = SequentialConfig.defaults().withEarlyPromote(true, 6).withMaxCount(14);
        assertEquals(config, roundTrip(config, SequentialConfig.class));
    }
}
