package io.canaryjudge.verdict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/**
 * The only writer and reader of {@link VerdictDocument}, with the service's ObjectMapper. Reads every version written
 * so far — a document without {@code version} is version 1 — and refuses, with the reason, one it cannot read (not
 * JSON, or written by a newer version of the service) instead of guessing.
 */
public final class VerdictCodec {
    private VerdictCodec() {
    }

    /** The document as it is stored and published. */
    public static String write(ObjectMapper json, VerdictDocument d) {
        try {
            return json.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stored or published verdict document.
     *
     * @throws UnreadableDocumentException when the text is not a verdict document this version can read
     */
    public static VerdictDocument read(ObjectMapper json, String text) {
        JsonNode tree = DocumentTrees.versioned(json, text, "verdict", VerdictDocument.CURRENT_VERSION);
        VerdictDocument d;
        try {
            d = json.treeToValue(tree, VerdictDocument.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new UnreadableDocumentException("the verdict document cannot be read: " + e.getMessage(), e);
        }
        // version 1 was written before the field existed; an absent score or target (a document that judges nothing)
        // stays absent
        return new VerdictDocument(d.version() == null ? 1 : d.version(), d.analysisId(), d.eventId(),
                d.deploymentId(), d.namespace(), d.service(), d.environment(), d.template(), d.verdict(), d.phase(),
                d.mode(), d.fastMode(), d.asymptotic(), tree.has("score") ? d.score() : null, d.reason(), d.canary(),
                d.stable(), tree.has("target") ? d.target() : null, d.image(), d.signature(), d.startedAt(), d.completedAt(), d.measurements(),
                d.metrics(), d.judgeVerdict(), d.decision(), d.other());
    }
}
