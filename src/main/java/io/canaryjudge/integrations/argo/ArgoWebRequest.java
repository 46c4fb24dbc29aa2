package io.canaryjudge.integrations.argo;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What an Argo Rollouts AnalysisTemplate sends to the web provider, as query parameters (GET) or a JSON body (POST).
 * Labels are {@code name=value,...} strings (either method) or JSON objects (POST).
 */
@Schema(name = "ArgoWebRequest", description = "Argo Rollouts web provider call: which rollout, which canary and stable.")
public record ArgoWebRequest(
        @Schema(required = true, example = "shop") String namespace,
        @Schema(required = true, description = "Rollout name; also the service name unless service is given",
                example = "checkout") String rollout,
        @Schema(description = "Service whose analyses this is (default: the rollout name); a new canary of the same "
                + "service supersedes the running analysis", example = "checkout") String service,
        @Schema(description = "Analysis template (default canary.integrations.default-template)",
                example = "http-golden-signals") String template,
        @Schema(description = "rollouts-pod-template-hash of the canary (args valueFrom podTemplateHashValue: Latest)",
                example = "6b8d9c7f4") String canaryHash,
        @Schema(description = "rollouts-pod-template-hash of the stable pods (podTemplateHashValue: Stable)",
                example = "5f7c8b9d2") String stableHash,
        @Schema(pattern = "sha256:[0-9a-f]{64}", description = "Image digest of the canary, if known") String canaryDigest,
        @Schema(pattern = "sha256:[0-9a-f]{64}", description = "Image digest of the stable pods, if known") String stableDigest,
        @Schema(description = "Prometheus label matchers of the canary, 'name=value,...' or a JSON object; default "
                + "namespace=<namespace>,rollouts_pod_template_hash=<canaryHash>", example = "app=checkout,track=canary")
        JsonNode canaryLabels,
        @Schema(description = "Prometheus label matchers of the stable pods; default namespace and stableHash")
        JsonNode stableLabels,
        @Schema(description = "RFC 3339 start of the canary (default: the time of the first call)",
                example = "2026-11-26T01:00:00Z") String startedAt,
        @Schema(description = "Anything that changes per attempt of the same canary (e.g. the rollout's revision "
                + "annotation), so a retried rollout gets a fresh analysis", example = "7") String revision,
        @Schema(description = "Record the Rollout as rollback target (needs both image digests)") Boolean rollback,
        @Schema(description = "Image repository of both digests, without tag or digest: where their cosign "
                + "signatures are checked (canary.signatures)", example = "registry.example.com/shop/checkout")
        String image) {
}
