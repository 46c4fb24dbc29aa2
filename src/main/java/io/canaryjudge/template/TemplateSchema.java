package io.canaryjudge.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The committed JSON Schema of analysis templates ({@code schema/analysis-template.schema.json}), applied at load. */
final class TemplateSchema {
    static final String RESOURCE = "schema/analysis-template.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Validator VALIDATOR = Validator.create(JsonSchema.of(load()),
            new JsonSchemaOptions().setDraft(Draft.DRAFT7).setBaseUri("https://canary-judge.io/schema/")
                    .setOutputFormat(OutputFormat.Basic));

    private TemplateSchema() {
    }

    /** One violation: where (JSON pointer) and what. */
    record Violation(String pointer, String message) {
    }

    @SuppressWarnings("unchecked")
    static List<Violation> validate(JsonNode document) {
        OutputUnit out = VALIDATOR.validate(new JsonObject(JSON.convertValue(document, Map.class)));
        List<Violation> violations = new ArrayList<>();
        if (Boolean.TRUE.equals(out.getValid())) {
            return violations;
        }
        if (out.getErrors() == null || out.getErrors().isEmpty()) {
            violations.add(new Violation(pointer(out.getInstanceLocation()), out.getError()));
        } else {
            for (OutputUnit e : out.getErrors()) {
                violations.add(new Violation(pointer(e.getInstanceLocation()), e.getError()));
            }
        }
        return violations;
    }

    private static String pointer(String location) {
        if (location == null) {
            return "";
        }
        return location.startsWith("#") ? location.substring(1) : location;
    }

    private static JsonObject load() {
        try (InputStream in = TemplateSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
