package io.canaryjudge.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.template.TemplateRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.util.Map;

/** Facade of the intake: turns bytes from Kafka or a JSON body from REST into a validated event. */
@ApplicationScoped
public class EventReader {
    private final ObjectMapper json;
    private final EventValidator validator;
    private final Instance<EventTranslator> translators;

    EventReader(ObjectMapper json, TemplateRepository templates, Clock clock, Instance<EventTranslator> translators) {
        this.json = json;
        this.validator = new EventValidator(name -> templates.find(name).isPresent(), clock);
        this.translators = translators;
    }

    /**
     * Reads a Kafka record: a plain event, a CloudEvent of one, or a format an {@link EventTranslator} accepts.
     *
     * @param headers Kafka headers, names lower-cased
     * @throws InvalidEventException naming each invalid field
     */
    public DeploymentEvent read(byte[] value, Map<String, String> headers) {
        ObjectNode node = EventEnvelope.unwrap(json, value, headers);
        for (EventTranslator t : translators) {
            if (t.accepts(node)) {
                return validator.validate(t.translate(node));
            }
        }
        return validator.validate(node);
    }

    /** For REST: the body is the plain event object. */
    public DeploymentEvent read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidEventException("$", "expected a JSON object");
        }
        return validator.validate(((ObjectNode) body).deepCopy());
    }
}
