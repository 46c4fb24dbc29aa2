package io.canaryjudge.integrations.flagger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Flagger's CanaryWebhookPayload (pkg/apis/flagger/v1beta1): the canary's name and namespace, its phase, the
 * checksum of its tracked spec (one per canary revision) and the webhook's metadata. Newer fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(name = "FlaggerWebhookPayload")
public record FlaggerPayload(
        @Schema(required = true, example = "checkout") String name,
        @Schema(required = true, example = "shop") String namespace,
        @Schema(example = "Progressing") String phase,
        @Schema(description = "Hash of the canary's tracked spec: names the revision under analysis", example = "6d8c7f9b5")
        String checksum,
        @Schema(description = "The webhook's metadata. Read: template, service, canaryLabels, stableLabels "
                + "('name=value,...'), canaryDigest, stableDigest, startedAt") Map<String, String> metadata) {

    public FlaggerPayload {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
