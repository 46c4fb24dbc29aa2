package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.JsonSettings;
import io.canaryjudge.judge.sequential.BatchRankEProcess;
import io.canaryjudge.judge.sequential.CountRatioEProcess;
import io.canaryjudge.judge.sequential.HistogramQuantileEProcess;
import io.canaryjudge.judge.sequential.PairedSignEProcess;
import io.canaryjudge.judge.sequential.QuantileEProcess;
import io.canaryjudge.judge.sequential.RankZMixture;
import io.canaryjudge.judge.sequential.SequentialState;
import io.canaryjudge.judge.sequential.ShiftEstimate;
import io.canaryjudge.judge.sequential.TailEProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * States the service stored before the codec and its version (captured with the code of 469eafa, see
 * src/test/resources/sequential-states/v1/README.md) read as the objects Jackson read from them before, test by
 * test; written again they are the same bytes plus {@code "version":1} at the head of every metric's entry.
 */
class SequentialStateMigrationTest {
    private static final List<String> STATES = List.of("counts-ranks-sign-threshold", "histogram", "fast-mode",
            "no-data-then-errors", "counts-without-margins");
    private static final List<String> COUNTERS = List.of("counters-sequential", "counters-fixed",
            "counters-fixed-no-failure");

    /** The service's ObjectMapper as Quarkus and the project's customizers configure it. */
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    SequentialStateMigrationTest() {
        new JsonSettings().customize(json);
        new StateDocuments().customize(json);
    }

    private static String v1(String name) {
        try (InputStream in = SequentialStateMigrationTest.class.getResourceAsStream(
                "/sequential-states/v1/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, SequentialStep.MetricState> read(String text) throws IOException {
        return SequentialStateCodec.fromJson(json, json.readTree(text));
    }

    private String write(Map<String, SequentialStep.MetricState> states) throws IOException {
        return json.writeValueAsString(SequentialStateCodec.toJson(json, states));
    }

    /** How the service read a state before the codec: Jackson, by the record's components. */
    private SequentialState jackson(String type, JsonNode state) throws IOException {
        Class<? extends SequentialState> cls = switch (type) {
            case "counts" -> CountRatioEProcess.class;
            case "ranks", "ranks-rule-out", "ranks-within" -> BatchRankEProcess.class;
            case "ranks-fast" -> RankZMixture.class;
            case "quantile" -> QuantileEProcess.class;
            case "quantile-buckets" -> HistogramQuantileEProcess.class;
            case "tail" -> TailEProcess.class;
            default -> PairedSignEProcess.class;
        };
        return json.treeToValue(state, cls);
    }

    @Test
    void everyStoredStateReadsAsJacksonReadItAndWritesBackTheSameBytesWithItsVersion() throws Exception {
        int tests = 0;
        for (String name : STATES) {
            String old = v1(name);
            Map<String, SequentialStep.MetricState> states = read(old);
            JsonNode tree = json.readTree(old);
            assertEquals(tree.size(), states.size(), name);
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                SequentialStep.MetricState s = states.get(e.getKey());
                JsonNode n = e.getValue();
                assertEquals(n.path("dataIntervals").asInt(), s.dataIntervals(), name);
                assertEquals(n.path("noDataIntervals").asInt(), s.noDataIntervals(), name);
                assertEquals(n.path("consecutiveErrors").asInt(), s.consecutiveErrors(), name);
                assertEquals(n.has("threshold") ? json.treeToValue(n.get("threshold"),
                        SequentialStep.ThresholdLook.class) : null, s.threshold(), name);
                assertEquals(n.has("shift") ? json.treeToValue(n.get("shift"), ShiftEstimate.class)
                        : ShiftEstimate.NONE, s.shift(), name);
                assertEquals(n.path("tests").size(), s.tests().size(), name);
                for (int i = 0; i < s.tests().size(); i++) {
                    JsonNode x = n.path("tests").get(i);
                    SequentialStep.TestState t = s.tests().get(i);
                    assertEquals(x.path("name").asText(), t.name());
                    assertEquals(x.path("type").asText(), t.type());
                    assertEquals(jackson(t.type(), x.path("state")), t.state(), name + " " + t.name());
                    tests++;
                }
            }
            String again = write(states);
            assertEquals(old.replace("{\"dataIntervals\":", "{\"version\":1,\"dataIntervals\":"), again, name);
            assertEquals(states, read(again), name + ": what the codec writes reads as the same states");
        }
        assertEquals(34, tests, "every test type of the captured analyses was compared");
    }

    @Test
    void aCountStateStoredBeforePriorCenterKeepsItsHalfNormalWeights() throws Exception {
        String old = v1("counts-before-prior-center");
        assertTrue(!old.contains("priorCenter"), old);
        CountRatioEProcess c = (CountRatioEProcess) read(old).get("errors").tests().get(0).state();
        assertEquals(0, c.priorCenter());
        assertEquals(jackson("counts", json.readTree(old).path("errors").path("tests").get(0).path("state")), c);
        ObjectNode expected = (ObjectNode) json.readTree(old);
        ((ObjectNode) expected.path("errors")).put("version", 1);
        ((ObjectNode) expected.path("errors").path("tests").get(0).path("state")).put("priorCenter", 0);
        assertEquals(expected, json.readTree(write(read(old))));
    }

    @Test
    void nodeSumsStoredAsDecimalsReadAsTheCompactOnesAndAreWrittenCompactly() throws Exception {
        Map<String, SequentialStep.MetricState> decimals = read(v1("ranks-decimal-node-sums"));
        assertTrue(json.readTree(v1("ranks-decimal-node-sums")).path("latency").path("tests").get(0)
                .path("state").path("ell").isArray());
        SequentialStep.MetricState compact = read(v1("counts-ranks-sign-threshold")).get("latency");
        assertEquals(compact, decimals.get("latency"));
        assertEquals(write(Map.of("latency", compact)), write(decimals));
    }

    @Test
    void limitCountersReadAsWrittenAndWriteBackWithTheirVersion() throws Exception {
        for (String name : COUNTERS) {
            String old = v1(name);
            Map<String, Lifecycle.Counters> counters = json.readValue(old, new TypeReference<>() { });
            assertEquals(old.replace("{\"failures\":", "{\"version\":1,\"failures\":"), json.writeValueAsString(
                    counters), name);
            JsonNode tree = json.readTree(old);
            assertEquals(counters, json.convertValue(tree, new TypeReference<Map<String, Lifecycle.Counters>>() { }),
                    name + ": the engine's convertValue reads through the codec too");
        }
        Map<String, Lifecycle.Counters> fixed = json.readValue(v1("counters-fixed"), new TypeReference<>() { });
        assertEquals(new Lifecycle.Counters(2, 1, 0, "HIGH"), fixed.get("errors"));
        Map<String, Lifecycle.Counters> none = json.readValue(v1("counters-fixed-no-failure"), new TypeReference<>() { });
        assertNull(none.get("latency").lastFailure());
        assertEquals(3, none.get("latency").consecutiveErrors());
    }

    @Test
    void unknownFieldsAreIgnoredAndANewerVersionIsRefusedWithTheReason() throws Exception {
        ObjectNode tree = (ObjectNode) json.readTree(v1("counts-without-margins"));
        ObjectNode errors = (ObjectNode) tree.path("errors");
        errors.put("addedLater", "x");
        ((ObjectNode) errors.path("tests").get(0).path("state")).put("addedLater", 3);
        assertEquals(read(v1("counts-without-margins")), SequentialStateCodec.fromJson(json, tree));
        errors.put("version", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SequentialStateCodec.fromJson(json, tree));
        assertEquals("sequential state of errors has version 2; this service reads versions 1 to 1", e.getMessage());
        JsonNode counters = json.readTree("{\"errors\":{\"version\":7,\"failures\":1}}");
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> json.convertValue(counters,
                new TypeReference<Map<String, Lifecycle.Counters>>() { }));
        assertTrue(c.getMessage().contains("limit counters has version 7"), c.getMessage());
    }
}
