package io.canaryjudge.event;

/**
 * Where a valid deployment event goes: the port through which intake (Kafka) and the REST and integration
 * adapters hand events to the analyses, so the adapters need not know how an analysis is stored or run.
 */
public interface DeploymentEvents {

    /**
     * Starts (or, for a repeated event id, finds) the analysis of a "canary started" event, or cancels it for a
     * CANCELLED event.
     *
     * @throws InvalidEventException when the event names what the service does not know (e.g. a template)
     */
    Submission submit(DeploymentEvent event);
}
