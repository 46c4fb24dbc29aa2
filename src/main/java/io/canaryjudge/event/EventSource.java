package io.canaryjudge.event;

/**
 * Who started an analysis, read from its event id: the integrations give their analyses ids with their own prefix
 * ({@code argo:}, {@code flagger:}, {@code kayenta:}); every other id came as a deployment event (Kafka, REST,
 * CDEvents). A new start supersedes only running analyses of the same source: an Argo Rollout's next canary ends the
 * previous Argo analysis of that service, but not one a pipeline started with an event, and the other way round.
 */
public enum EventSource {
    ARGO("argo:"), FLAGGER("flagger:"), KAYENTA("kayenta:"), EVENTS(null);

    private final String prefix;

    EventSource(String prefix) {
        this.prefix = prefix;
    }

    /** The source of an analysis with this event id. */
    public static EventSource of(String eventId) {
        if (eventId != null) {
            for (EventSource s : values()) {
                if (s.prefix != null && eventId.startsWith(s.prefix)) {
                    return s;
                }
            }
        }
        return EVENTS;
    }
}
