package io.canaryjudge.template;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and validates one YAML template; every problem is reported with the file and the field. */
final class TemplateParser {
    static final Set<String> PLACEHOLDERS = Set.of("cohort", "namespace", "service", "interval", "step");
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private TemplateParser() {
    }

    static AnalysisTemplate parse(String source, byte[] yaml) {
        TemplateFile file;
        try {
            file = YAML.readValue(yaml, TemplateFile.class);
        } catch (JsonMappingException e) {
            throw new TemplateException(source + where(e.getLocation()) + ": " + path(e) + e.getOriginalMessage());
        } catch (IOException e) {
            throw new TemplateException(source + ": unreadable YAML: " + e.getMessage());
        }
        if (file == null) {
            throw new TemplateException(source + ": empty file");
        }
        require(source, "name", file.name());
        if (!NAME.matcher(file.name()).matches() || file.name().length() > 100) {
            throw new TemplateException(source + ": name: '" + file.name() + "' must be lowercase letters, digits and '-'");
        }
        Duration interval = duration(source, "interval", require(source, "interval", file.interval()));
        if (file.count() == null || file.count() < 1 || file.count() > 1000) {
            throw new TemplateException(source + ": count: required, between 1 and 1000");
        }
        Duration step = file.step() == null ? interval : duration(source, "step", file.step());
        if (step.compareTo(interval) > 0) {
            throw new TemplateException(source + ": step: must not exceed interval");
        }
        double pass = file.scoring() == null || file.scoring().pass() == null ? 95 : file.scoring().pass();
        double marginal = file.scoring() == null || file.scoring().marginal() == null ? 75 : file.scoring().marginal();
        if (!(0 <= marginal && marginal <= pass && pass <= 100)) {
            throw new TemplateException(source + ": scoring: need 0 <= marginal <= pass <= 100");
        }
        List<MetricTemplate> metrics = file.metrics();
        if (metrics == null || metrics.isEmpty()) {
            throw new TemplateException(source + ": metrics: at least one metric is required");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            String at = source + ": metrics[" + i + "]";
            if (m == null) {
                throw new TemplateException(at + ": empty metric");
            }
            require(at, "name", m.name());
            if (!names.add(m.name())) {
                throw new TemplateException(at + ".name: duplicate metric '" + m.name() + "'");
            }
            at = source + ": metrics[" + i + "] (" + m.name() + ")";
            if (m.kind() == null) {
                throw new TemplateException(at + ".kind: required: continuous, counts or threshold");
            }
            if (m.kind() == MetricTemplate.MetricKindName.COUNTS) {
                query(at + ".events", m.events());
                query(at + ".exposure", m.exposure());
                if (m.query() != null) {
                    throw new TemplateException(at + ".query: a counts metric takes events and exposure, not query");
                }
            } else {
                query(at + ".query", m.query());
                if (m.events() != null || m.exposure() != null) {
                    throw new TemplateException(at + ": events/exposure belong to counts metrics only");
                }
            }
            if (m.minSamples() != null && m.minSamples() < 1) {
                throw new TemplateException(at + ".minSamples: must be at least 1");
            }
            if (m.weight() != null && !(m.weight() > 0)) {
                throw new TemplateException(at + ".weight: must be positive");
            }
            if (m.tolerance() != null && (negative(m.tolerance().relative()) || negative(m.tolerance().absolute()))) {
                throw new TemplateException(at + ".tolerance: must not be negative");
            }
        }
        return new AnalysisTemplate(file.name(), file.description(), interval, file.count(), step, pass, marginal,
                metrics, source, file.rollback());
    }

    private static boolean negative(Double d) {
        return d != null && !(d >= 0);
    }

    private static void query(String at, String query) {
        if (query == null || query.isBlank()) {
            throw new TemplateException(at + ": required");
        }
        Matcher m = PLACEHOLDER.matcher(query);
        boolean cohort = false;
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new TemplateException(at + ": unknown placeholder {{" + m.group(1) + "}}, known: " + PLACEHOLDERS);
            }
            cohort |= m.group(1).equals("cohort");
        }
        if (!cohort) {
            // Kayenta #553: a query without the cohort selector reads the same series for canary and stable.
            throw new TemplateException(at + ": must use {{cohort}}, otherwise canary and stable read the same series");
        }
    }

    private static Duration duration(String source, String field, String text) {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new TemplateException(source + ": " + field + ": " + e.getMessage());
        }
    }

    private static <T> T require(String at, String field, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new TemplateException(at + ": " + field + ": required");
        }
        return value;
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? "" : ":" + location.getLineNr();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "" : sb + ": ";
    }
}
