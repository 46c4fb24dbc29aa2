package io.canaryjudge.supplychain;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code canary.signatures.*}: which image digests must be signed, by which keys or keyless identities, and how the
 * registry is reached.
 * Every key is an environment variable too ({@code CANARY_SIGNATURES_MODE}, …).
 */
@ConfigMapping(prefix = "canary.signatures")
public interface SignatureConfig {

    /** off, warn or required: the service-wide default. */
    @WithDefault("off")
    String mode();

    /** Accepted public keys by name: PEM files (ECDSA P-256 or Ed25519 "PUBLIC KEY"), e.g. mounted from a Secret. */
    Map<String, String> keys();

    /**
     * Accepted keyless signers by name, each {@code <issuer>|<subject-regexp>} ({@link AcceptedIdentity}). One value
     * per name, not a list: a list value would be split at commas and lose the backslashes of the expression.
     */
    Map<String, String> identities();

    /**
     * The pinned Sigstore trusted root ({@code trusted_root.json}: Fulcio CAs, Rekor and CT log keys) keyless
     * signatures are verified against, offline; needed as soon as an identity is accepted.
     */
    Optional<String> trustedRoot();

    /** Per-namespace policy, overriding {@link #mode()} and narrowing the accepted keys. */
    Map<String, NamespacePolicy> namespaces();

    /** What an unverified canary gets under {@code required}: inconclusive (a person decides) or abort (rolled back). */
    @WithDefault("inconclusive")
    String unsigned();

    /** A docker config file with registry credentials ({@code auths}); anonymous when absent. */
    Optional<String> dockerConfig();

    /** Registries (host:port) spoken to over plain HTTP, e.g. a registry on loopback; HTTPS everywhere else. */
    Optional<List<String>> insecureRegistries();

    /** Per registry request. */
    @WithDefault("10s")
    Duration timeout();

    /** How long a verified digest is not asked again. */
    @WithDefault("10m")
    Duration verifiedTtl();

    /** How long an unsigned or rejected digest is not asked again (a signature pushed later is seen after it). */
    @WithDefault("1m")
    Duration rejectedTtl();

    /** One namespace's policy. */
    interface NamespacePolicy {
        /** off, warn or required; the service-wide mode when absent. */
        Optional<String> mode();

        /** Names of {@link SignatureConfig#keys()} accepted here; all of them when absent. */
        Optional<List<String>> keys();

        /** Names of {@link SignatureConfig#identities()} accepted here, besides the keys; all of them when absent. */
        Optional<List<String>> identities();
    }
}
