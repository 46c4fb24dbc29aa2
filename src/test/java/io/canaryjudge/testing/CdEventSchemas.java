package io.canaryjudge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The published CDEvents JSON schemas (test resources {@code cdevents/<spec version>/}, see PROVENANCE.md there),
 * with the link schemas they reference, as a validator: {@code validate("v0.5.1", "servicedeployed", event)} lists
 * every violation, empty when the event conforms.
 */
public final class CdEventSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LINKS = List.of("embeddedlinkend", "embeddedlinkpath", "embeddedlinkrelation",
            "embeddedlinksarray", "linkend", "linkpath", "linkrelation", "linkstart");

    private CdEventSchemas() {
    }

    /** Every violation of {@code event} against schema {@code name} of spec {@code version}; empty when valid. */
    @SuppressWarnings("unchecked")
    public static List<String> validate(String version, String name, JsonNode event) {
        JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                .setBaseUri("https://cdevents.dev/").setOutputFormat(OutputFormat.Basic);
        SchemaRepository repository = SchemaRepository.create(options);
        for (String link : LINKS) {
            repository.dereference(JsonSchema.of(load(version + "/links/" + link + ".json")));
        }
        JsonObject schema = load(version + "/" + name + ".json");
        repository.dereference(JsonSchema.of(schema));
        OutputUnit out = repository.validator(schema.getString("$id"))
                .validate(new JsonObject(JSON.convertValue(event, Map.class)));
        List<String> violations = new ArrayList<>();
        if (Boolean.TRUE.equals(out.getValid())) {
            return violations;
        }
        if (out.getErrors() == null || out.getErrors().isEmpty()) {
            violations.add(out.getInstanceLocation() + ": " + out.getError());
        } else {
            out.getErrors().forEach(e -> violations.add(e.getInstanceLocation() + ": " + e.getError()));
        }
        return violations;
    }

    private static JsonObject load(String path) {
        String resource = "cdevents/" + path;
        try (InputStream in = CdEventSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing from the test classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
