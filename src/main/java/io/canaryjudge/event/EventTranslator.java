package io.canaryjudge.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A foreign event format that the Kafka intake accepts beside the plain deployment event (e.g. CDEvents): it
 * turns the unwrapped object into a plain event object, which is then validated like any other. An adapter
 * implements it as a CDI bean, so the event contract does not depend on the formats it is fed from.
 */
public interface EventTranslator {

    /** Whether {@code unwrapped} (a plain object or a CloudEvent's data) is in this format. */
    boolean accepts(ObjectNode unwrapped);

    /**
     * The plain deployment event object for {@code unwrapped}.
     *
     * @throws InvalidEventException naming every field that is missing or cannot be mapped
     */
    ObjectNode translate(ObjectNode unwrapped);
}
