package io.canaryjudge.event;

import java.util.Optional;

/** The closed set of deployment event types the intake understands. */
public enum EventType {
    STARTED("canary.started"),
    CANCELLED("canary.cancelled");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Accepts the plain wire name and a reverse-DNS prefixed one ({@code io.canaryjudge.canary.started}). */
    public static Optional<EventType> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (EventType t : values()) {
            if (value.equals(t.wireName) || value.endsWith("." + t.wireName)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
