package io.canaryjudge.verdict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The first step of reading any stored document: JSON, an object, and a version this service reads. */
final class DocumentTrees {
    private DocumentTrees() {
    }

    /**
     * The document's tree.
     *
     * @param what   the document's name in messages ("verdict", "measurement")
     * @param newest the newest version this service reads; a document without a version reads as version 1
     * @throws UnreadableDocumentException when the text is not JSON, not an object, or of another version
     */
    static JsonNode versioned(ObjectMapper json, String text, String what, int newest) {
        JsonNode tree;
        try {
            tree = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UnreadableDocumentException("the " + what + " document is not JSON: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new UnreadableDocumentException("the " + what + " document is not a JSON object", null);
        }
        JsonNode version = tree.path("version");
        if (!version.isMissingNode() && !version.isNull()
                && (!version.canConvertToExactIntegral() || version.asInt() < 1 || version.asInt() > newest)) {
            throw new UnreadableDocumentException("the " + what + " document has version " + version + "; this service "
                    + "reads versions 1 to " + newest, null);
        }
        return tree;
    }
}
