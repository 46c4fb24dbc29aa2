package io.canaryjudge.dora;

import java.time.Instant;
import java.util.List;

/** DORA figures over [since, until): overall and per service (sorted by namespace, then service). */
public record DoraReport(Instant since, Instant until, DoraFigures overall, List<ServiceFigures> services) {

    /** The figures of one namespace/service. */
    public record ServiceFigures(String namespace, String service, DoraFigures figures) {
    }
}
