package io.canaryjudge.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The workload used by the end-to-end tests and the README demo: in namespace {@code shop}, service
 * {@code checkout} gets a visibly worse canary (more 5xx, slower, more memory) and service {@code cart} a
 * canary that behaves like its stable cohort. Backfilled around {@link #startedAt}, hours in the past.
 */
public final class DemoScenario {
    public static final String NAMESPACE = "shop";
    public static final String BAD_SERVICE = "checkout";
    public static final String GOOD_SERVICE = "cart";
    /** A canary that receives no traffic at all (low-traffic rules). */
    public static final String QUIET_SERVICE = "search";

    private DemoScenario() {
    }

    /** Deployment start of the scenario: a whole hour, six hours before {@code now}. */
    public static Instant startedAt(Instant now) {
        return now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(6));
    }

    public static SyntheticWorkload workload(Instant startedAt) {
        // 8 ms of CPU per request (0.5 cores at 60 req/s); the bad canary needs 80 % more per request
        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.040, 0.35, 200_000_000L, 4_000_000L, 0.008);
        SyntheticWorkload.Profile badCanary = new SyntheticWorkload.Profile(6, 0.05, 0.120, 0.35, 260_000_000L, 4_000_000L, 0.0144);
        SyntheticWorkload.Profile idleCanary = new SyntheticWorkload.Profile(0, 0, 0.040, 0.35, 200_000_000L, 4_000_000L, 0.008);
        // a third of stable's traffic: enough errors in ten minutes (≈ 36 at 0.2 %) to rule out doubled errors, which
        // PROMOTE needs; at the bad canary's 6 req/s a healthy canary would end INCONCLUSIVE instead
        SyntheticWorkload.Profile goodCanary = new SyntheticWorkload.Profile(30, 0.002, 0.040, 0.35, 200_000_000L, 4_000_000L, 0.008);
        return new SyntheticWorkload(startedAt.minus(Duration.ofMinutes(15)), startedAt.plus(Duration.ofMinutes(30)),
                List.of(new SyntheticWorkload.Service(NAMESPACE, BAD_SERVICE, stable, badCanary),
                        new SyntheticWorkload.Service(NAMESPACE, GOOD_SERVICE, stable, goodCanary),
                        new SyntheticWorkload.Service(NAMESPACE, QUIET_SERVICE, stable, idleCanary)));
    }

    /**
     * An event on another template, with an extra label on both cohorts. An extra label with an empty value
     * ({@code fault_x=""}) still matches every series of the cohort in PromQL, and marks its queries.
     */
    public static String event(String id, String service, Instant startedAt, String template, String extraLabel) {
        String event = event(id, service, startedAt).replace("\"template\":\"http-golden-signals\"",
                "\"template\":\"" + template + "\"");
        if (extraLabel != null) {
            event = event.replace("\"track\":\"canary\"", "\"track\":\"canary\",\"" + extraLabel + "\":\"\"")
                    .replace("\"track\":\"stable\"", "\"track\":\"stable\",\"" + extraLabel + "\":\"\"");
        }
        return event;
    }

    /** A deployment event for the scenario, as plain JSON. */
    public static String event(String id, String service, Instant startedAt) {
        return event(id, NAMESPACE, service, startedAt);
    }

    /** A deployment event of a service in any namespace, cohorts labelled namespace/service/track. */
    public static String event(String id, String namespace, String service, Instant startedAt) {
        return """
                {"id":"%s","type":"canary.started","deploymentId":"%s-42","namespace":"%s","service":"%s",
                 "template":"http-golden-signals",
                 "canary":{"digest":"sha256:%s","labels":{"namespace":"%s","service":"%s","track":"canary"}},
                 "stable":{"digest":"sha256:%s","labels":{"namespace":"%s","service":"%s","track":"stable"}},
                 "target":{"kind":"Deployment","name":"%s","container":"app"},
                 "startedAt":"%s"}
                """.formatted(id, service, namespace, service, "c".repeat(64), namespace, service, "b".repeat(64),
                namespace, service, service, startedAt);
    }
}
