package io.canaryjudge.template;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.canaryjudge.judge.sequential.SequentialConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates one YAML template: strict binding (unknown fields, wrong types), the committed JSON
 * Schema, then the rules a schema cannot express (placeholders, durations, step within interval), one class per
 * concern: {@link TemplateSchedule}, {@link MetricInputRules}, {@link FixedModeRules} or
 * {@link SequentialModeRules}, {@link SequentialBlockRules}. Every problem names the file, the line when known,
 * and the field ({@link SourceLines}).
 */
public final class TemplateParser {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final double DEFAULT_PASS = 95;
    private static final double DEFAULT_MARGINAL = 75;

    private TemplateParser() {
    }

    public static AnalysisTemplate parse(String source, byte[] yaml) {
        Map<String, Integer> lines = YamlLines.index(yaml);
        JsonNode tree;
        TemplateFile file;
        try {
            tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new TemplateException(source + ": empty file");
            }
            file = YAML.treeToValue(tree, TemplateFile.class);
        } catch (JsonMappingException e) {
            String pointer = pointer(e);
            int line = pointer.isEmpty() ? lineOf(e.getLocation()) : YamlLines.lineOf(lines, pointer);
            throw new TemplateException(source + SourceLines.at(line) + ": " + YamlLines.path(pointer) + ": "
                    + bindingMessage(e));
        } catch (JsonProcessingException e) {
            throw new TemplateException(source + SourceLines.at(lineOf(e.getLocation())) + ": unreadable YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TemplateException(source + ": unreadable: " + e.getMessage());
        }
        SourceLines at = new SourceLines(source, lines);
        precheck(at, tree);
        List<TemplateSchema.Violation> violations = TemplateSchema.validate(tree);
        if (!violations.isEmpty()) {
            // the schema reports from the outside in: the deepest violation is the one that says what is wrong
            TemplateSchema.Violation v = violations.get(0);
            for (TemplateSchema.Violation candidate : violations) {
                if (candidate.pointer().length() >= v.pointer().length()) {
                    v = candidate;
                }
            }
            throw new TemplateException(source + SourceLines.at(YamlLines.lineOf(lines, v.pointer())) + ": "
                    + YamlLines.path(v.pointer()) + ": " + v.message()
                    + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more schema violations)" : ""));
        }
        return semantics(at, file);
    }

    /** Checks with clearer messages than the schema's for the fields users get wrong most: durations and queries. */
    private static void precheck(SourceLines at, JsonNode tree) {
        for (String field : List.of("interval", "initialDelay", "duration", "step")) {
            if (tree.path(field).isTextual()) {
                at.duration("/" + field, tree.path(field).asText());
            }
        }
        if (tree.has("count") && tree.has("duration")) {
            throw at.error("/duration", "give count or duration, not both");
        }
        JsonNode metrics = tree.path("metrics");
        for (int i = 0; i < metrics.size(); i++) {
            for (String field : List.of("query", "events", "exposure", "buckets", "eventsCounter", "exposureCounter")) {
                JsonNode q = metrics.get(i).path(field);
                if (q.isTextual()) {
                    at.query("/metrics/" + i + "/" + field, q.asText());
                }
            }
        }
    }

    /** The rules a schema cannot express, one class per concern, in the order their messages have always come. */
    private static AnalysisTemplate semantics(SourceLines at, TemplateFile file) {
        TemplateSchedule schedule = TemplateSchedule.of(at, file);
        TemplateFile.Scoring scoring = scoring(at, file.scoring());
        List<MetricTemplate> metrics = file.metrics();
        MetricInputRules.check(at, metrics);
        // Sequential is the default (issue #10): a template must say mode: fixed to get the fixed-horizon judge.
        AnalysisTemplate.Mode mode = file.mode() == null ? AnalysisTemplate.Mode.SEQUENTIAL : file.mode();
        if (mode == AnalysisTemplate.Mode.FIXED) {
            FixedModeRules.check(at, file, metrics);
        } else {
            SequentialModeRules.check(at, file, metrics);
        }
        SequentialConfig sequential = SequentialBlockRules.check(at, file.sequential(), schedule.count());
        return new AnalysisTemplate(file.name(), file.description(), schedule.interval(), schedule.initialDelay(),
                schedule.count(), schedule.step(), scoring.pass(), scoring.marginal(), file.insufficientData(), metrics,
                at.source(), file.rollback(), mode, sequential);
    }

    /** The fixed-horizon scorer's thresholds with their defaults (pass 95, marginal 75); marginal ≤ pass. */
    private static TemplateFile.Scoring scoring(SourceLines at, TemplateFile.Scoring scoring) {
        double pass = scoring == null || scoring.pass() == null ? DEFAULT_PASS : scoring.pass();
        double marginal = scoring == null || scoring.marginal() == null ? DEFAULT_MARGINAL : scoring.marginal();
        if (marginal > pass) {
            throw at.error("/scoring/marginal", "must not exceed pass");
        }
        return new TemplateFile.Scoring(pass, marginal);
    }

    /** Jackson's message, except for a word outside a closed set: then the words the template language has. */
    private static String bindingMessage(JsonMappingException e) {
        if (!(e instanceof InvalidFormatException f) || f.getTargetType() == null || !f.getTargetType().isEnum()) {
            return e.getOriginalMessage();
        }
        List<String> words = new ArrayList<>();
        for (Object constant : f.getTargetType().getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            try {
                JsonProperty wire = f.getTargetType().getField(name).getAnnotation(JsonProperty.class);
                words.add(wire == null ? name : wire.value());
            } catch (NoSuchFieldException impossible) {
                words.add(name);
            }
        }
        String last = words.remove(words.size() - 1);
        return "must be " + (words.isEmpty() ? "" : String.join(", ", words) + " or ") + last + ", not " + f.getValue();
    }

    private static int lineOf(JsonLocation location) {
        return location == null ? -1 : location.getLineNr();
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append('/').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('/').append(r.getIndex());
            }
        }
        return sb.toString();
    }
}
