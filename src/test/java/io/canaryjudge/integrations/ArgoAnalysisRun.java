package io.canaryjudge.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Argo Rollouts' controller does with an AnalysisTemplate's web-provider metric, for tests that drive
 * canary-judge with the shipped manifests: the template's args merged with the Rollout step's (value,
 * {@code valueFrom.podTemplateHashValue}, {@code valueFrom.fieldRef}, {@code valueFrom.secretKeyRef}), every
 * {@code {{args.x}}} substituted (an unresolved one is an error, as Argo refuses to create the run), then one
 * measurement per interval: non-2xx is an Error, {@code jsonPath "{$}"} gives the whole body as {@code result},
 * failureCondition before successCondition, neither is Inconclusive; the metric ends Failed past failureLimit,
 * Successful at consecutiveSuccessLimit consecutive successes, Inconclusive past inconclusiveLimit, Error past
 * consecutiveErrorLimit. Conditions are limited to the form the shipped templates use, {@code result.<field> ==
 * "<value>"}; anything else fails the test rather than being guessed. An Experiment's analysis args are resolved
 * first by {@link #experimentArgs}, as the experiment controller does.
 */
final class ArgoAnalysisRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*args\\.([A-Za-z0-9_.-]+)\\s*}}");
    private static final Pattern TAG = Pattern.compile("\\{\\{(.*?)}}");
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(h|m|s)");
    private static final Pattern CONDITION = Pattern.compile("result\\.([A-Za-z0-9_]+) == \"([^\"]*)\"");

    /** The end of a metric (Argo's AnalysisPhase) and how many measurements it took. */
    record End(String phase, int measurements, JsonNode last) {
    }

    private ArgoAnalysisRun() {
    }

    /**
     * @param fields  the Rollout's fields by fieldRef path (metadata.name, metadata.namespace)
     * @param hashes  podTemplateHashValue → hash (Latest, Stable)
     * @param secrets "secret/key" → value, in the run's namespace
     */
    static Map<String, String> args(JsonNode templateArgs, JsonNode stepArgs, Map<String, String> fields,
                                    Map<String, String> hashes, Map<String, String> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode a : templateArgs) {
            out.put(a.path("name").asText(), value(a, fields, hashes, secrets));
        }
        for (JsonNode a : stepArgs) {
            String name = a.path("name").asText();
            if (!out.containsKey(name)) {
                throw new AssertionError("the Rollout passes arg " + name + ", which the AnalysisTemplate does not declare");
            }
            out.put(name, value(a, fields, hashes, secrets));
        }
        out.forEach((k, v) -> {
            if (v == null) {
                throw new AssertionError("args." + k + " was not resolved: Argo would not create the AnalysisRun");
            }
        });
        return out;
    }

    private static String value(JsonNode arg, Map<String, String> fields, Map<String, String> hashes,
                                Map<String, String> secrets) {
        if (arg.has("value")) {
            return arg.path("value").asText();
        }
        JsonNode from = arg.path("valueFrom");
        if (from.has("podTemplateHashValue")) {
            return require(hashes.get(from.path("podTemplateHashValue").asText()), "podTemplateHashValue " + from);
        }
        if (from.has("fieldRef")) {
            return require(fields.get(from.path("fieldRef").path("fieldPath").asText()), "fieldRef " + from);
        }
        if (from.has("secretKeyRef")) {
            JsonNode ref = from.path("secretKeyRef");
            return require(secrets.get(ref.path("name").asText() + "/" + ref.path("key").asText()), "secret " + ref);
        }
        return null;
    }

    private static String require(String v, String what) {
        if (v == null) {
            throw new AssertionError("cannot resolve " + what);
        }
        return v;
    }

    /**
     * What the experiment controller does with an Experiment analysis's args before it creates the AnalysisRun
     * (utils/template ResolveExperimentArgsValue): in each {@code value}, {@code {{experiment.availableAt}}} and
     * {@code {{experiment.finishedAt}}} (availableAt plus the experiment's duration, not when it really ends: the run
     * is created as soon as the templates are available) in RFC 3339 seconds, {@code
     * {{templates.<name>.podTemplateHash}}} (the rollouts-pod-template-hash label of the template's ReplicaSet);
     * any other tag is an error, as Argo refuses to create the run ({@code templates.<name>.replicaset.name} exists in
     * Argo but is not emulated). An arg with {@code valueFrom} is not emulated either.
     *
     * @param duration the experiment's {@code duration} (Go duration: 20m, 1h30m, 45s)
     * @param podTemplateHashes template name → its ReplicaSet's pod-template hash
     */
    static ArrayNode experimentArgs(JsonNode analysisArgs, Instant availableAt, String duration,
                                    Map<String, String> podTemplateHashes) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("experiment.availableAt", availableAt.truncatedTo(ChronoUnit.SECONDS).toString());
        values.put("experiment.finishedAt", availableAt.plus(goDuration(duration)).truncatedTo(ChronoUnit.SECONDS)
                .toString());
        podTemplateHashes.forEach((template, hash) -> values.put("templates." + template + ".podTemplateHash", hash));
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode a : analysisArgs) {
            if (!a.has("value")) {
                throw new AssertionError("experiment arg not emulated: " + a);
            }
            Matcher m = TAG.matcher(a.path("value").asText());
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = values.get(m.group(1).trim());
                if (v == null) {
                    throw new AssertionError("failed to resolve {{" + m.group(1) + "}}: Argo would not create the run");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            out.addObject().put("name", a.path("name").asText()).put("value", sb.toString());
        }
        return out;
    }

    /**
     * How an Experiment with one analysis ends (experiment controller, calculateStatus): its templates run for
     * {@code duration} from availableAt. An analysis that ends before then decides the phase (an unsuccessful one ends
     * the Experiment at once). One still running when the templates complete is waited for only if the Rollout marks
     * it {@code requiredForCompletion}; otherwise the Experiment ends Successful and the run is terminated, so its
     * verdict never reaches the Rollout.
     *
     * @param analysisRef    the step's analysis (templateName, args, requiredForCompletion)
     * @param analysisEnded  when Argo saw the analysis end
     * @param analysisPhase  the phase it ended with
     */
    static String experimentPhase(JsonNode analysisRef, Instant availableAt, String duration, Instant analysisEnded,
                                  String analysisPhase) {
        if (analysisEnded.isBefore(availableAt.plus(goDuration(duration)))) {
            return analysisPhase;
        }
        return analysisRef.path("requiredForCompletion").asBoolean(false) ? analysisPhase : "Successful";
    }

    /** Go's time.ParseDuration for the units a manifest uses (h, m, s), failing on anything else. */
    static Duration goDuration(String text) {
        Matcher m = GO_DURATION.matcher(text);
        if (text.isEmpty() || !text.matches("(\\d+(h|m|s))+")) {
            throw new AssertionError("duration not emulated: " + text);
        }
        Duration d = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return d;
    }

    static String substitute(String text, Map<String, String> args) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = args.get(m.group(1));
            if (v == null) {
                throw new AssertionError("{{args." + m.group(1) + "}} has no argument");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        if (sb.indexOf("{{") >= 0) {
            throw new AssertionError("unresolved placeholder in " + sb);
        }
        return sb.toString();
    }

    /**
     * Runs one metric of the template against canary-judge.
     *
     * @param serviceHost the host in the template's URL, replaced by {@code baseUrl} (the Service's address)
     * @param interval    time between measurements (tests shorten the template's)
     * @param afterEach   called with the measurement number and its result
     */
    static End run(JsonNode metric, Map<String, String> args, String serviceHost, String baseUrl, Duration interval,
                   BiConsumer<Integer, JsonNode> afterEach) throws Exception {
        JsonNode web = metric.path("provider").path("web");
        if (!"{$}".equals(web.path("jsonPath").asText())) {
            throw new AssertionError("only jsonPath {$} is emulated, not " + web.path("jsonPath"));
        }
        String url = substitute(web.path("url").asText(), args).replace(serviceHost, baseUrl);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(web.path("timeoutSeconds").asInt(10)));
        for (JsonNode h : web.path("headers")) {
            request.header(h.path("key").asText(), substitute(h.path("value").asText(), args));
        }
        int count = metric.path("count").asInt(1);
        int failureLimit = metric.path("failureLimit").asInt(0);
        int inconclusiveLimit = metric.path("inconclusiveLimit").asInt(0);
        int errorLimit = metric.path("consecutiveErrorLimit").asInt(4);
        int successLimit = metric.path("consecutiveSuccessLimit").asInt(0);
        int failed = 0;
        int inconclusive = 0;
        int errors = 0;
        int successes = 0;
        JsonNode last = null;
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 1; i <= count; i++) {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                errors++;
                successes = 0;
                last = JSON.createObjectNode().put("status", r.statusCode()).put("body", r.body());
                if (errors > errorLimit) {
                    return new End("Error", i, last);
                }
            } else {
                errors = 0;
                last = JSON.readTree(r.body());
                afterEach.accept(i, last);
                if (holds(metric.path("failureCondition").asText(null), last)) {
                    failed++;
                    successes = 0;
                } else if (holds(metric.path("successCondition").asText(null), last)) {
                    successes++;
                } else {
                    inconclusive++;
                    successes = 0;
                }
                if (failed > failureLimit) {
                    return new End("Failed", i, last);
                }
                if (successLimit > 0 && successes >= successLimit) {
                    return new End("Successful", i, last);
                }
                if (inconclusive > inconclusiveLimit) {
                    return new End("Inconclusive", i, last);
                }
            }
            Thread.sleep(interval.toMillis());
        }
        // count reached with no limit crossed: with the shipped limits (inconclusiveLimit = count - 1) unreachable
        return new End(successLimit > 0 ? "Inconclusive" : "Successful", count, last);
    }

    private static boolean holds(String condition, JsonNode result) {
        if (condition == null) {
            return false;
        }
        Matcher m = CONDITION.matcher(condition.trim());
        if (!m.matches()) {
            throw new AssertionError("condition not emulated: " + condition);
        }
        return m.group(2).equals(result.path(m.group(1)).asText());
    }
}
