package io.canaryjudge.integrations;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the Argo Rollouts, Kayenta-compatible and Flagger endpoints turn their callers' terms into analyses. */
@ConfigMapping(prefix = "canary.integrations")
public interface IntegrationsConfig {
    /** Analysis template used when a caller names none (env CANARY_INTEGRATIONS_DEFAULT_TEMPLATE). */
    @WithDefault("http-golden-signals")
    String defaultTemplate();

    /**
     * Prometheus label carrying Argo's {@code rollouts-pod-template-hash} pod label (Kubernetes service discovery
     * relabelling turns the dashes into underscores). Selects the cohorts when a caller gives only hashes.
     */
    @WithDefault("rollouts_pod_template_hash")
    String podTemplateHashLabel();

    /** Argo Rollouts' web provider. */
    Argo argo();

    /** Kayenta-compatible API. */
    Kayenta kayenta();

    /** Flagger webhooks. */
    Flagger flagger();

    /** Settings of the Argo Rollouts web provider. */
    interface Argo {
        /**
         * How long after an ABORT a call about the same canary still gets that ABORT (env
         * CANARY_INTEGRATIONS_ARGO_RETRY_AFTER_ABORT). Argo passes nothing that changes when a person retries an
         * aborted rollout, so a call that comes later than this is taken as the retry and starts a new analysis (the
         * next attempt); calls within it — Argo asking again after a lost answer — find the ABORT. Keep it longer than
         * the AnalysisTemplate's interval, and use failureLimit 0 (Argo stops asking after the first ABORT).
         */
        @WithDefault("5m")
        java.time.Duration retryAfterAbort();
    }

    /** Settings of the Kayenta-compatible API. */
    interface Kayenta {
        /** Label matched by a scope that is a bare value rather than {@code name=value} pairs. */
        @WithDefault("app")
        String scopeLabel();

        /** Label matched by a scope's {@code location} (or the older {@code region}) when it is not empty. */
        @WithDefault("region")
        String locationLabel();

        /** Namespace of the analysis when the experiment scope has no {@code namespace} label. */
        @WithDefault("default")
        String namespace();
    }

    /** Settings of the Flagger webhooks. */
    interface Flagger {
        /** Prometheus label that tells Flagger's canary pods ({@code <name>}) from the primary ones ({@code <name>-primary}). */
        @WithDefault("app")
        String workloadLabel();
    }
}
