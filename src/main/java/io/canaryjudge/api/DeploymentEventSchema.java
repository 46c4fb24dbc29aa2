package io.canaryjudge.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** OpenAPI description of the deployment event body (the wire contract); the intake validates it. */
@Schema(name = "DeploymentEvent", description = "A canary started (or cancelled). Same object as on Kafka topic deployments.")
record DeploymentEventSchema(
        @Schema(required = true, description = "Idempotency key: the same id twice is one analysis", example = "evt-7d0c") String id,
        @Schema(required = true, enumeration = {"canary.started", "canary.cancelled"}) String type,
        @Schema(required = true, example = "checkout-42") String deploymentId,
        @Schema(required = true, example = "shop") String namespace,
        @Schema(required = true, example = "checkout") String service,
        @Schema(required = true, example = "http-golden-signals") String template,
        @Schema(required = true) CohortSchema canary,
        @Schema(required = true) CohortSchema stable,
        TargetSchema target,
        @Schema(required = true, description = "RFC 3339", example = "2026-11-26T01:00:00Z") String startedAt,
        @Schema(description = "Optional environment name", example = "prod") String environment,
        @Schema(description = "Optional RFC 3339 time of the deployed commit, not after startedAt (DORA lead time)",
                example = "2026-11-26T00:40:00Z") String commitTime,
        @Schema(description = "Optional image repository of both digests, without tag or digest: where their cosign "
                + "signatures are checked (canary.signatures)", example = "registry.example.com/shop/checkout")
        String image) {

    @Schema(name = "Cohort")
    record CohortSchema(
            @Schema(required = true, pattern = "sha256:[0-9a-f]{64}") String digest,
            @Schema(required = true, description = "Prometheus label matchers selecting this cohort; names match "
                    + "[a-zA-Z_][a-zA-Z0-9_]*, values are escaped") Map<String, String> labels) {
    }

    @Schema(name = "Target")
    record TargetSchema(@Schema(enumeration = {"Deployment", "Rollout", "GitOps"}) String kind, String name,
                        String container) {
    }
}
