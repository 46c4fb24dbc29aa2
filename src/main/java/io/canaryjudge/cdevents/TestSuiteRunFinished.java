package io.canaryjudge.cdevents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.event.OciPurl;
import io.canaryjudge.judge.Verdict;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.Phase;
import java.io.IOException;
import java.time.Instant;

/**
 * The CDEvents {@code dev.cdevents.testsuiterun.finished.0.3.0} (spec v0.5.1) body of a verdict: the analysis is the
 * test suite run, its template the test suite. Outcomes: PROMOTE is {@code success}, ABORT {@code failure}, a
 * cancelled analysis {@code cancel}; INCONCLUSIVE and ERROR are {@code error} (the run ended without a pass or fail
 * result; a person decides), told apart by {@code customData.verdict} and {@code customData.phase}.
 */
final class TestSuiteRunFinished {
    static final String TYPE = "dev.cdevents.testsuiterun.finished.0.3.0";
    static final String SPEC_VERSION = "0.5.1";
    static final String SOURCE = "/canary-judge";

    private TestSuiteRunFinished() {
    }

    /** Stable per verdict: a re-publication has the same id, a human decision (the n-th) a new one. */
    static String id(String analysisId, int decisions) {
        return "testsuiterun-" + analysisId + (decisions == 0 ? "" : "-decision-" + decisions);
    }

    /** The closed set of CDEvents test outcomes, with their wire names. */
    enum Outcome {
        SUCCESS("success"), FAILURE("failure"), CANCEL("cancel"), ERROR("error");

        final String wire;

        Outcome(String wire) {
            this.wire = wire;
        }

        static Outcome of(AnalysisRecord a) {
            if (a.verdict() == Verdict.PROMOTE) {
                return SUCCESS;
            }
            if (a.verdict() == Verdict.ABORT) {
                return FAILURE;
            }
            return a.phase() == Phase.CANCELLED ? CANCEL : ERROR;
        }
    }

    static ObjectNode json(ObjectMapper json, AnalysisRecord a, String id) {
        ObjectNode root = json.createObjectNode();
        Instant at = a.completedAt() != null ? a.completedAt() : a.updatedAt();
        ObjectNode context = root.putObject("context");
        context.put("specversion", SPEC_VERSION);
        context.put("id", id);
        context.put("source", SOURCE);
        context.put("type", TYPE);
        context.put("timestamp", at.toString());
        ObjectNode subject = root.putObject("subject");
        subject.put("id", a.id());
        subject.put("source", SOURCE);
        ObjectNode content = subject.putObject("content");
        content.putObject("environment").put("id", a.environment() != null ? a.environment() : a.namespace())
                .put("source", SOURCE);
        if (a.template() != null) {
            content.putObject("testSuite").put("id", a.template()).put("name", "canary analysis " + a.template());
        }
        content.put("outcome", Outcome.of(a).wire);
        if (a.reason() != null) {
            content.put("reason", a.reason());
        }
        root.put("customDataContentType", "application/json");
        ObjectNode custom = root.putObject("customData");
        custom.put("analysisId", a.id());
        custom.put("eventId", a.eventId());
        custom.put("deploymentId", a.deploymentId());
        custom.put("namespace", a.namespace());
        custom.put("service", a.service());
        custom.put("verdict", a.verdict() == null ? null : a.verdict().name());
        custom.put("phase", a.phase() == null ? null : a.phase().name());
        if (a.score() != null) {
            custom.put("score", a.score());
        }
        String image = image(json, a);
        custom.put("artifactId", purl(image, a.service(), a.canaryDigest()));
        custom.put("stableArtifactId", purl(image, a.service(), a.stableDigest()));
        return root;
    }

    private static String purl(String image, String service, String digest) {
        if (digest == null) {
            return null;
        }
        return OciPurl.of(image != null ? image : service, digest).toString();
    }

    /** The image repository the event named, if any. */
    private static String image(ObjectMapper json, AnalysisRecord a) {
        if (a.eventJson() == null) {
            return null;
        }
        try {
            JsonNode image = json.readTree(a.eventJson()).path("image");
            return image.isTextual() ? image.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
