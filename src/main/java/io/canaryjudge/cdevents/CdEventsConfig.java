package io.canaryjudge.cdevents;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Map;
import java.util.Optional;

/**
 * CDEvents in and out (docs/integrations.md, "CDEvents"). Intake of {@code service.deployed}/{@code upgraded} is always
 * on (they arrive on the deployments topic and would otherwise be dead-lettered); publishing is opt-in.
 */
@ConfigMapping(prefix = "canary.cdevents")
public interface CdEventsConfig {

    /**
     * Publish every verdict as {@code dev.cdevents.testsuiterun.finished.0.3.0} on channel {@code cdevents-out}
     * (topic {@code CANARY_CDEVENTS_TOPIC}, default {@code cdevents}); env CANARY_CDEVENTS_PUBLISH_ENABLED. Off by
     * default: a broker that does not auto-create topics would otherwise see a failed send per verdict.
     */
    @WithName("publish.enabled")
    @WithDefault("false")
    boolean publishEnabled();

    /**
     * How far back the sweep re-sends CDEvents Kafka has not acknowledged (env CANARY_CDEVENTS_RESEND_WINDOW): ended
     * analyses older than this are not sent again — and turning publishing on does not send the whole history.
     */
    @WithName("resend.window")
    @WithDefault("1h")
    java.time.Duration resendWindow();

    /** How often the sweep looks for unacknowledged CDEvents (env CANARY_CDEVENTS_RESEND_INTERVAL). */
    @WithName("resend.interval")
    @WithDefault("10s")
    java.time.Duration resendInterval();

    /**
     * What a {@code service.deployed}/{@code upgraded} event of a service does not say in
     * {@code customData.canaryJudge}, keyed by service name (the last segment of {@code subject.id}), e.g.
     * {@code canary.cdevents.services.checkout.template=http-golden-signals}. The event's customData wins.
     */
    Map<String, ServiceDefaults> services();

    /** The per-service defaults of one service. */
    interface ServiceDefaults {
        /** Kubernetes namespace; without it (and without customData) {@code subject.content.environment.id}. */
        Optional<String> namespace();

        /** Analysis template name. */
        Optional<String> template();

        /** Prometheus labels selecting the canary, e.g. {@code canary-labels.track=canary}. */
        Map<String, String> canaryLabels();

        /** Prometheus labels selecting the stable cohort. */
        Map<String, String> stableLabels();

        /** Rollback target kind (Deployment, Rollout, GitOps); no target without it. */
        Optional<String> targetKind();

        /** Rollback target name; defaults to the service name. */
        Optional<String> targetName();

        /** Container whose image a rollback sets back. */
        Optional<String> targetContainer();
    }
}
