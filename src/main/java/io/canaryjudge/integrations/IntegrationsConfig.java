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

    /** Kayenta-compatible API. */
    Kayenta kayenta();

    /** Flagger webhooks. */
    Flagger flagger();

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
