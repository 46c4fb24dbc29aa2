package io.canaryjudge.backtest;

import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A backtest: {@code aa} runs the template over consecutive past windows with stable data on both sides,
 * {@code replay} runs it once over a past deployment. Nothing is stored or published.
 */
@Schema(description = "A backtest request. kind aa: template, namespace, service, from, to and either labels (the "
        + "stable cohort; the other side is the same cohort offset in time) or cohorts.a and cohorts.b (two disjoint "
        + "stable selectors). kind replay: template, namespace, service, canary, stable and startedAt.")
public record BacktestRequest(
        @Schema(enumeration = {"aa", "replay"}, required = true) String kind,
        @Schema(required = true, description = "name of a loaded analysis template") String template,
        @Schema(required = true, description = "fills {{namespace}}") String namespace,
        @Schema(required = true, description = "fills {{service}}") String service,
        @Schema(description = "aa, offset form: label matchers of the stable cohort") Map<String, String> labels,
        @Schema(description = "aa: canary side = data at t, stable side = data at t - offset (Prometheus duration, "
                + "e.g. 10m). Default: one window (interval x count) with labels, 0 with cohorts") String offset,
        @Schema(description = "aa, cohorts form: two disjoint stable selectors, a plays canary and b stable")
        Cohorts cohorts,
        @Schema(description = "aa: start of the first window (RFC 3339)") Instant from,
        @Schema(description = "aa: end of the range; windows that do not fit whole are left out") Instant to,
        @Schema(description = "replay: the canary cohort") Selector canary,
        @Schema(description = "replay: the stable cohort") Selector stable,
        @Schema(description = "replay: when the deployment started (RFC 3339)") Instant startedAt) {

    /** The Prometheus label matchers that select one cohort. */
    public record Selector(Map<String, String> labels) {
    }

    /** Two disjoint selectors of stable data for an A/A backtest. */
    public record Cohorts(Selector a, Selector b) {
    }
}
