package io.canaryjudge.integrations.kayenta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.integrations.CanaryRequest;
import io.canaryjudge.integrations.Fingerprints;
import io.canaryjudge.integrations.IntegrationAnalyses;
import io.canaryjudge.integrations.IntegrationsConfig;
import io.canaryjudge.integrations.IntegrationOutcome;
import io.canaryjudge.judge.Classification;
import io.canaryjudge.integrations.Selectors;
import io.canaryjudge.problem.Inputs;
import io.canaryjudge.problem.InvalidInputException;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.TemplateRepository;
import io.canaryjudge.verdict.AnalysisRecord;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The part of Kayenta's REST API that Argo Rollouts' {@code kayenta} provider uses, so that provider works
 * unchanged with {@code address} pointing here: list canary configs (our analysis templates), start a canary
 * execution (an analysis of the experiment scope against the control scope) and poll it.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "kayenta")
@Blocking
public class KayentaResource {
    
    private final IntegrationAnalyses analyses;
    private final TemplateRepository templates;
    private final IntegrationsConfig config;
    private final ObjectMapper json;

    KayentaResource(IntegrationAnalyses analyses, TemplateRepository templates, IntegrationsConfig config,
                    ObjectMapper json) {
        this.analyses = analyses;
        this.templates = templates;
        this.config = config;
        this.json = json;
    }

    @GET
    @Path("canaryConfig")
    @Operation(summary = "Kayenta: list canary configs", description = "Every analysis template as a canary config "
            + "whose id and name are the template name.")
    public ArrayNode canaryConfigs(@QueryParam("application") String application,
                                   @QueryParam("configurationAccountName") String account) {
        ArrayNode out = json.createArrayNode();
        templates.all().stream().sorted(Comparator.comparing(AnalysisTemplate::name)).forEach(t -> {
            ObjectNode c = out.addObject();
            c.put("id", t.name());
            c.put("name", t.name());
            ArrayNode apps = c.putArray("applications");
            if (application != null && !application.isBlank()) {
                apps.add(application);
            }
        });
        return out;
    }

    @POST
    @Path("canary/{configId}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Kayenta: start a canary execution", description = "Body {scopes:{<name>:{controlScope, "
            + "experimentScope}}, thresholds:{pass, marginal}}. A scope is label selectors (name=value joined by ',' "
            + "or ' and '), or one value of canary.integrations.kayenta.scope-label; location (or region) adds the "
            + "location label. The window starts at experimentScope.start and lasts as the template says.")
    public ObjectNode start(@PathParam("configId") String configId, @QueryParam("application") String application,
                            @QueryParam("metricsAccountName") String metricsAccount,
                            @QueryParam("configurationAccountName") String configurationAccount,
                            @QueryParam("storageAccountName") String storageAccount, byte[] body) {
        AnalysisTemplate template = templates.find(configId)
                .orElseThrow(() -> new NotFoundException("no canary config " + configId));
        JsonNode req = read(body);
        JsonNode scope = scope(req.path("scopes"));
        JsonNode control = scope.path("controlScope");
        JsonNode experiment = scope.path("experimentScope");
        Map<String, String> canaryLabels = labels("scopes.experimentScope", experiment);
        Map<String, String> stableLabels = labels("scopes.controlScope", control);
        double pass = threshold(req, "pass", template.pass());
        double marginal = threshold(req, "marginal", template.marginal());
        if (marginal > pass) {
            throw new InvalidInputException("thresholds.marginal", "thresholds.marginal must not exceed thresholds.pass");
        }
        Instant start = time("scopes.experimentScope.start", experiment.path("start").asText(null), true);
        Instant end = time("scopes.experimentScope.end", experiment.path("end").asText(null), false);
        if (end != null && !end.isAfter(start)) {
            throw new InvalidInputException("scopes.experimentScope.end", "end must be after start");
        }
        String namespace = canaryLabels.getOrDefault("namespace", config.kayenta().namespace());
        String service = service(application, canaryLabels, configId);
        String key = Fingerprints.sha256(configId + "|" + namespace + "/" + service + "|" + new TreeMap<>(canaryLabels)
                + "|" + new TreeMap<>(stableLabels) + "|" + start).substring(0, 32);
        AnalysisRecord a = analyses.startOrFind(new CanaryRequest("kayenta:" + key, service + "-" + key.substring(0, 12),
                namespace, service, configId,
                Fingerprints.digestOf("kayenta-scope", new TreeMap<>(canaryLabels).toString()), canaryLabels,
                Fingerprints.digestOf("kayenta-scope", new TreeMap<>(stableLabels).toString()), stableLabels,
                null, null, start));
        ObjectNode out = json.createObjectNode();
        out.put("canaryExecutionId", new ExecutionId(a.id(), pass, marginal).text());
        return out;
    }

    @GET
    @Path("canary/{executionId}")
    @Operation(summary = "Kayenta: poll a canary execution", description = "{complete:false} while measuring; then "
            + "{complete:true, result:{judgeResult:{score:{score, classification}}}} with a score that the client's "
            + "thresholds classify as canary-judge's verdict; an analysis ended without verdict scores as "
            + "INCONCLUSIVE.")
    public ObjectNode status(@PathParam("executionId") String executionId) {
        ExecutionId id = ExecutionId.parse(executionId).orElse(null);
        AnalysisRecord a = analyses.find(id == null ? executionId : id.analysisId())
                .orElseThrow(() -> new NotFoundException("no canary execution " + executionId));
        if (id == null) {
            JsonNode t = readStored(a.templateJson());
            id = new ExecutionId(a.id(), t.path("pass").asDouble(), t.path("marginal").asDouble());
        }
        IntegrationOutcome o = analyses.outcome(a);
        ObjectNode out = json.createObjectNode();
        out.put("canaryExecutionId", executionId);
        out.put("application", a.service());
        out.put("canaryConfigId", a.template());
        if (o.pending()) {
            out.put("complete", false);
            out.put("status", "running");
        } else {
            // an analysis that ended without a verdict (cancelled, failed to measure) proved nothing: it is
            // reported as INCONCLUSIVE, in the inconclusive band, so Argo pauses for a person instead of erroring
            double score = KayentaScores.reported(o.verdict(), o.score(), id.pass(), id.marginal());
            out.put("complete", true);
            out.put("status", "succeeded");
            ObjectNode judge = out.putObject("result").putObject("judgeResult");
            judge.put("judgeName", "canary-judge");
            ObjectNode s = judge.putObject("score");
            s.put("score", score);
            s.put("classification", KayentaScores.classification(score, id.pass(), id.marginal()));
            s.put("classificationReason", o.reason());
            ArrayNode results = judge.putArray("results");
            for (IntegrationOutcome.MetricSummary m : o.metrics()) {
                ObjectNode r = results.addObject();
                r.put("name", m.name());
                r.put("classification", classification(m.classification()));
                r.put("classificationReason", m.explanation());
                r.put("critical", Boolean.TRUE.equals(m.critical()));
            }
        }
        ObjectNode own = out.putObject("canaryJudge");
        own.put("analysisId", a.id());
        own.put("verdict", o.verdict().name());
        if (o.score() == null) {
            own.putNull("score");
        } else {
            own.put("score", o.score());
        }
        own.put("reason", o.reason());
        return out;
    }

    private JsonNode scope(JsonNode scopes) {
        if (!scopes.isObject() || scopes.isEmpty()) {
            throw new InvalidInputException("scopes", "scopes must hold one scope with controlScope and experimentScope");
        }
        JsonNode chosen = scopes.size() == 1 ? scopes.elements().next() : scopes.path("default");
        if (chosen.isMissingNode()) {
            // one analysis compares one pair of cohorts; several scopes need several executions
            throw new InvalidInputException("scopes", "more than one scope and none named 'default': "
                    + "canary-judge analyses one control/experiment pair per execution");
        }
        for (String side : new String[] {"controlScope", "experimentScope"}) {
            if (!chosen.path(side).isObject()) {
                throw new InvalidInputException("scopes." + side, "scopes." + side + " is required");
            }
        }
        return chosen;
    }

    private Map<String, String> labels(String field, JsonNode scope) {
        String text = scope.path("scope").asText("");
        if (text.isBlank()) {
            throw new InvalidInputException(field + ".scope", field + ".scope is required: it selects the cohort");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (Selectors.isPairs(text)) {
            labels.putAll(Selectors.parse(field + ".scope", text));
        } else {
            labels.put(config.kayenta().scopeLabel(), text.trim());
        }
        // Kayenta's scope has "location"; Argo Rollouts still sends the older "region" (empty when unset)
        String location = scope.path("location").asText("");
        if (location.isBlank()) {
            location = scope.path("region").asText("");
        }
        if (!location.isBlank()) {
            labels.put(config.kayenta().locationLabel(), location.trim());
        }
        return labels;
    }

    private static String service(String application, Map<String, String> labels, String configId) {
        for (String candidate : new String[] {application, labels.get("service"), labels.get("app")}) {
            if (Inputs.isDnsLabel(candidate)) {
                return candidate;
            }
        }
        throw new InvalidInputException("application", "application must be a Kubernetes name (lowercase letters, "
                + "digits, '-'): it names the service analysed for config " + configId);
    }

    private static double threshold(JsonNode req, String name, double fallback) {
        JsonNode t = req.path("thresholds").path(name);
        if (t.isMissingNode() || t.isNull()) {
            return fallback;
        }
        if (!t.isNumber() || t.asDouble() < 1 || t.asDouble() > 100) {
            // 0 would let every score pass (or none fail): the verdict could not be told to the client
            throw new InvalidInputException("thresholds." + name, "thresholds." + name + " must be a number from 1 to 100");
        }
        return t.asDouble();
    }

    private static Instant time(String field, String text, boolean required) {
        if (text == null || text.isBlank()) {
            if (required) {
                throw new InvalidInputException(field, field + " is required (RFC 3339)");
            }
            return null;
        }
        return Inputs.time(field, text);
    }

    private static String classification(Classification ours) {
        if (ours == null) {
            return "Error";
        }
        return switch (ours) {
            case PASS -> "Pass";
            case HIGH -> "High";
            case LOW -> "Low";
            case NO_DATA -> "Nodata";
            case ERROR -> "Error";
        };
    }

    private JsonNode read(byte[] body) {
        try {
            JsonNode n = body == null || body.length == 0 ? null : json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new InvalidInputException("$", "expected a JSON object with scopes and thresholds");
            }
            return n;
        } catch (IOException e) {
            throw new InvalidInputException("$", "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private JsonNode readStored(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("stored template is unreadable", e);
        }
    }
}
