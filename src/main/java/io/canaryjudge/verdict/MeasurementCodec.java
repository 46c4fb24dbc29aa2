package io.canaryjudge.verdict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.judge.Classification;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only writer and reader of {@link MeasurementDocument}, with the service's ObjectMapper. Reads every version
 * written so far — a document without {@code version} is version 1 — and refuses, with the reason, one it cannot read
 * (not JSON, or written by a newer version of the service) instead of guessing.
 */
public final class MeasurementCodec {
    private static final Set<String> DOCUMENT_FIELDS = components(MeasurementDocument.class, "other");
    private static final Set<String> METRIC_FIELDS = components(MeasurementDocument.Metric.class, "detail");

    private MeasurementCodec() {
    }

    /**
     * The document as it is stored, in ASCII (α, ≥ escaped): its Java string stays one byte per character (half the
     * memory and copying of a two-byte string) on its way to the store; every reader parses it, so nothing else
     * changes.
     */
    public static String write(ObjectMapper json, MeasurementDocument d) {
        try {
            return json.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII).writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stored measurement document.
     *
     * @throws UnreadableDocumentException when the text is not a measurement document this version can read
     */
    public static MeasurementDocument read(ObjectMapper json, String text) {
        JsonNode tree = DocumentTrees.versioned(json, text, "measurement", MeasurementDocument.CURRENT_VERSION);
        MeasurementDocument d;
        try {
            d = json.treeToValue(tree, MeasurementDocument.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new UnreadableDocumentException("the measurement document cannot be read: " + e.getMessage(), e);
        }
        List<MeasurementDocument.Metric> metrics = null;
        if (d.metrics() != null) {
            metrics = new ArrayList<>();
            for (int i = 0; i < d.metrics().size(); i++) {
                metrics.add(withDetail(d.metrics().get(i), tree.path("metrics").get(i)));
            }
        }
        // version 1 was written before the field existed; a sequential measurement has no score at all
        return new MeasurementDocument(d.version() == null ? 1 : d.version(), d.seq(), d.mode(), d.fastMode(),
                d.asymptotic(), d.windowStart(), d.windowEnd(), d.step(), d.verdict(),
                tree.has("score") ? d.score() : null, d.reason(), d.decision(), d.phase(), d.action(), metrics,
                d.groupScores(), d.counters(), d.sequentialState(), untyped(tree, DOCUMENT_FIELDS));
    }

    /**
     * One metric's entry, as a measurement's writer built it: its typed fields, and the rest as they are, in the order
     * written (values the writer holds as POJOs stay POJOs, serialised once when the document is written).
     *
     * @throws UnreadableDocumentException when the entry is not a metric this version can read
     */
    public static MeasurementDocument.Metric metric(JsonNode entry) {
        try {
            return new MeasurementDocument.Metric(text(entry, "name"), text(entry, "kind"), flag(entry, "critical"),
                    flag(entry, "dryRun"), text(entry, "error"), entry.hasNonNull("classification")
                    ? Classification.valueOf(entry.get("classification").asText()) : null, text(entry, "explanation"),
                    untyped(entry, METRIC_FIELDS));
        } catch (IllegalArgumentException e) {
            throw new UnreadableDocumentException("the measurement's metric cannot be read: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Boolean flag(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asBoolean() : null;
    }

    private static MeasurementDocument.Metric withDetail(MeasurementDocument.Metric m, JsonNode entry) {
        return new MeasurementDocument.Metric(m.name(), m.kind(), m.critical(), m.dryRun(), m.error(),
                m.classification(), m.explanation(), untyped(entry, METRIC_FIELDS));
    }

    /**
     * The fields of an object the record does not type, in the order they were written (Jackson's any-setter on a
     * record collects them in an order of its own, which would reorder them at every round trip).
     */
    private static Map<String, JsonNode> untyped(JsonNode object, Set<String> typed) {
        Map<String, JsonNode> rest = new LinkedHashMap<>();
        object.fields().forEachRemaining(f -> {
            if (!typed.contains(f.getKey())) {
                rest.put(f.getKey(), f.getValue());
            }
        });
        return rest;
    }

    /** The JSON names of a record's typed components: every component but the one that keeps the rest. */
    private static Set<String> components(Class<? extends Record> type, String rest) {
        Set<String> names = new HashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            if (!c.getName().equals(rest)) {
                names.add(c.getName());
            }
        }
        return Set.copyOf(names);
    }
}
