package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.verdict.AnalysisRecord;

/** The fields every verdict document starts with — which analysis of which deployment, judged by which template. */
final class VerdictDocument {
    private VerdictDocument() {
    }

    static ObjectNode head(ObjectMapper json, AnalysisRecord a, String template) {
        ObjectNode v = json.createObjectNode();
        v.put("analysisId", a.id());
        v.put("eventId", a.eventId());
        v.put("deploymentId", a.deploymentId());
        v.put("namespace", a.namespace());
        v.put("service", a.service());
        v.put("environment", a.environment());
        v.put("template", template);
        return v;
    }
}
