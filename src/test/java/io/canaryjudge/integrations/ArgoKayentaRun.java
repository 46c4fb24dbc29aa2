package io.canaryjudge.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * What Argo Rollouts' {@code kayenta} metric provider (metricproviders/kayenta/kayenta.go) and the analysis
 * controller do with a kayenta metric, for tests that drive canary-judge with the shipped manifests. The metric's
 * {@code {{args.x}}} are substituted everywhere in it; then one measurement: {@code Run} looks the config id up by
 * name ({@code GET <address>/canaryConfig?application=&configurationAccountName=<storageAccountName>} — Argo's own
 * quirk) and posts the job ({@code POST <address>/canary/<id>?application=&metricsAccountName=
 * &configurationAccountName=&storageAccountName=}, body {@code {scopes:{<name>:{controlScope, experimentScope}},
 * thresholds}} with each scope's {@code region} sent as {@code location}); {@code Resume} polls {@code GET
 * <address>/canary/<executionId>} until {@code complete} is true and classifies {@code int(score)}: at least pass
 * Successful, at least marginal Inconclusive, else Failed. Any non-200 answer, a missing {@code complete} or score is
 * an Error measurement, retried with a new Run until more than consecutiveErrorLimit (default 4) in a row end the
 * metric Error. A metric without interval and count takes one measurement, so its phase is that measurement's.
 * Only that form, with start and end set on every scope, is emulated; anything else fails the test.
 */
final class ArgoKayentaRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the metric ended.
     *
     * @param phase        Argo's AnalysisPhase of the metric
     * @param value        the measurement's value ({@code int(score)}), or null
     * @param message      the last error measurement's message (Argo's text), or null
     * @param errors       error measurements taken
     * @param lastStatus   HTTP status of the last call (for the test's assertions; Argo keeps only its message)
     * @param execution    the last execution's body, or null
     */
    record End(String phase, String value, String message, int errors, int lastStatus, JsonNode execution) {
    }

    /** Timing of the controller, shortened by tests: Argo resumes after 15 s and retries an error after 10 s. */
    record Timing(Duration resumeDelay, Duration errorRetry, Duration giveUpAfter) {
    }

    private ArgoKayentaRun() {
    }

    /**
     * Runs one kayenta metric of a resolved AnalysisRun.
     *
     * @param serviceHost the host in the template's address, replaced by {@code baseUrl} (the Service's address)
     */
    static End run(JsonNode metric, Map<String, String> args, String serviceHost, String baseUrl, Timing timing)
            throws Exception {
        if (metric.has("interval") || metric.has("count")) {
            throw new AssertionError("only a kayenta metric without interval and count is emulated: " + metric);
        }
        JsonNode kayenta = substituteAll(metric.path("provider").path("kayenta").deepCopy(), args);
        String address = kayenta.path("address").asText().replace(serviceHost, baseUrl);
        int errorLimit = metric.path("consecutiveErrorLimit").asInt(4);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
        Instant giveUp = Instant.now().plus(timing.giveUpAfter());
        int errors = 0;
        while (true) {
            Measurement m = measure(http, kayenta, address, timing, giveUp);
            if (!"Error".equals(m.phase)) {
                return new End(m.phase, m.value, null, errors, m.status, m.execution);
            }
            errors++;
            if (errors > errorLimit) {
                return new End("Error", null, m.message, errors, m.status, m.execution);
            }
            Thread.sleep(timing.errorRetry().toMillis());
        }
    }

    private record Measurement(String phase, String value, String message, int status, JsonNode execution) {
        static Measurement error(String message, int status) {
            return new Measurement("Error", null, message, status, null);
        }
    }

    /** Run, then Resume until complete. */
    private static Measurement measure(HttpClient http, JsonNode k, String address, Timing timing, Instant giveUp)
            throws Exception {
        // getCanaryConfigId: Argo passes storageAccountName as configurationAccountName, unescaped
        HttpResponse<String> configs = http.send(HttpRequest.newBuilder(URI.create(address + "/canaryConfig?application="
                + k.path("application").asText() + "&configurationAccountName=" + k.path("storageAccountName").asText()))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        if (configs.statusCode() != 200) {
            return Measurement.error("Invalid Response: HTTP " + configs.statusCode(), configs.statusCode());
        }
        String configId = null;
        for (JsonNode c : JSON.readTree(configs.body())) {
            // Go's json decoding matches field names case-insensitively: "name" fills Name
            if (k.path("canaryConfigName").asText().equals(field(c, "name"))) {
                configId = field(c, "id");
                break;
            }
        }
        if (configId == null) {
            return Measurement.error("Canary config not found", configs.statusCode());
        }
        String jobUrl = address + "/canary/" + configId + "?application=" + k.path("application").asText()
                + "&metricsAccountName=" + k.path("metricsAccountName").asText() + "&configurationAccountName="
                + k.path("configurationAccountName").asText() + "&storageAccountName="
                + k.path("storageAccountName").asText();
        HttpResponse<String> job = http.send(HttpRequest.newBuilder(URI.create(jobUrl))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(jobPayload(k)))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (job.statusCode() != 200) {
            return Measurement.error("Invalid Response", job.statusCode()); // Argo's message has no status
        }
        JsonNode id = JSON.readTree(job.body()).get("canaryExecutionId");
        // fmt.Sprintf("%v", nil) is "<nil>", which is not empty: Argo goes on polling it
        String executionId = id == null || id.isNull() ? "<nil>" : id.asText();
        if (executionId.isEmpty()) {
            return Measurement.error("Invalid canaryExecutionId", job.statusCode());
        }
        while (true) {
            Thread.sleep(timing.resumeDelay().toMillis());
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(URI.create(address + "/canary/" + executionId))
                    .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            if (poll.statusCode() != 200) {
                return Measurement.error("Invalid Response", poll.statusCode());
            }
            JsonNode body = JSON.readTree(poll.body());
            JsonNode complete = body.get("complete");
            if (complete == null) {
                return Measurement.error("Missing Complete Status", poll.statusCode());
            }
            if (!complete.isBoolean()) {
                return Measurement.error(".complete accessor error: " + complete + " is of the type "
                        + complete.getNodeType() + ", expected bool", poll.statusCode());
            }
            if (complete.asBoolean()) {
                JsonNode score = body.path("result").path("judgeResult").path("score").get("score");
                if (score == null || !score.isNumber()) {
                    return new Measurement("Error", null, "Missing Score", poll.statusCode(), body);
                }
                int s = (int) score.asDouble(); // Go's int(float64) truncates toward zero
                return new Measurement(evaluate(s, k.path("threshold").path("pass").asInt(),
                        k.path("threshold").path("marginal").asInt()), Integer.toString(s), null, poll.statusCode(), body);
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new AssertionError("execution " + executionId + " still incomplete: " + body);
            }
        }
    }

    /** evaluateResult of kayenta.go. */
    static String evaluate(int score, int pass, int marginal) {
        if (score >= pass) {
            return "Successful";
        }
        return score >= marginal ? "Inconclusive" : "Failed";
    }

    /** AnalysisRequest as json.Marshal writes it: ScopeDetailRequest's Region goes out as "location". */
    private static ObjectNode jobPayload(JsonNode k) {
        ObjectNode req = JSON.createObjectNode();
        ObjectNode scopes = req.putObject("scopes");
        for (JsonNode s : k.path("scopes")) {
            JsonNode control = s.path("controlScope");
            JsonNode experiment = s.path("experimentScope");
            for (String f : new String[] {"start", "end"}) {
                if (control.path(f).asText("").isEmpty() || experiment.path(f).asText("").isEmpty()) {
                    // Argo would derive them from the interval or the run's start: not emulated
                    throw new AssertionError("only scopes with start and end set are emulated: " + s);
                }
            }
            ObjectNode scope = scopes.putObject(s.path("name").asText());
            scope.set("controlScope", detail(control));
            scope.set("experimentScope", detail(experiment));
        }
        ObjectNode t = req.putObject("thresholds");
        t.put("pass", k.path("threshold").path("pass").asLong());
        t.put("marginal", k.path("threshold").path("marginal").asLong());
        return req;
    }

    private static ObjectNode detail(JsonNode scope) {
        ObjectNode d = JSON.createObjectNode();
        d.put("scope", scope.path("scope").asText(""));
        d.put("location", scope.path("region").asText(""));
        d.put("step", scope.path("step").asLong());
        d.put("start", scope.path("start").asText());
        d.put("end", scope.path("end").asText());
        return d;
    }

    private static String field(JsonNode object, String name) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().asText();
            }
        }
        return null;
    }

    /** The analysis controller substitutes the args in every string of the metric. */
    private static JsonNode substituteAll(JsonNode node, Map<String, String> args) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                e.setValue(substituteAll(e.getValue(), args));
            }
            return o;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, substituteAll(node.get(i), args));
            }
            return node;
        }
        return node.isTextual() ? TextNode.valueOf(ArgoAnalysisRun.substitute(node.asText(), args)) : node;
    }
}
