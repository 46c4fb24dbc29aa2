package io.canaryjudge.supplychain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What {@link Signatures} reads at start-up from {@code canary.signatures.*}: the accepted keys, the keyless identities,
 * the pinned trusted root and the registry credentials. Whatever is configured but cannot be used — an unreadable
 * file, a malformed identity, a namespace naming a key that is not defined, identities without a trusted root, a
 * checking mode with nothing to accept — stops the service here, with the property to fix in the message.
 *
 * @param keys        accepted keys by name; empty when no mode checks signatures (their files are not read then)
 * @param identities  accepted keyless identities by name
 * @param keyless     the pinned trusted root, or null
 * @param credentials registry credentials; empty for anonymous access
 */
record SignatureMaterial(Map<String, AcceptedKey> keys, Map<String, AcceptedIdentity> identities,
                         KeylessBundles keyless, DockerConfig credentials) {
    private static final Logger LOG = Logger.getLogger(SignatureMaterial.class);

    SignatureMaterial {
        keys = Map.copyOf(keys);
        identities = Map.copyOf(identities);
    }

    /** Reads and checks the material; {@code anyChecked}: some namespace's mode is not off. */
    static SignatureMaterial load(SignatureConfig config, boolean anyChecked) {
        // with every mode off no key is read: a key path configured for other environments may point nowhere here
        Map<String, AcceptedKey> keys = anyChecked ? keys(config) : Map.of();
        Map<String, AcceptedIdentity> identities = identities(config);
        namespacesNameDefined(config, identities);
        if (anyChecked && !identities.isEmpty() && config.trustedRoot().isEmpty()) {
            throw new IllegalStateException("keyless identities need a pinned trusted root "
                + "(canary.signatures.trusted-root=<trusted_root.json>)");
        }
        KeylessBundles root = anyChecked ? trustedRoot(config).orElse(null) : null;
        if (anyChecked && keys.isEmpty() && identities.isEmpty()) {
            throw new IllegalStateException("signature mode " + (SignatureMode.parse(config.mode()) != SignatureMode.OFF
                ? config.mode() : "warn or required in a namespace") + " needs at least one accepted key "
                + "(canary.signatures.keys.<name>=<PEM file>) or keyless identity "
                + "(canary.signatures.identities.<name>=<issuer>|<subject-regexp>)");
        }
        return new SignatureMaterial(keys, identities, root, credentials(config));
    }

    private static Map<String, AcceptedKey> keys(SignatureConfig config) {
        Map<String, AcceptedKey> loaded = new LinkedHashMap<>();
        config.keys().forEach((name, file) -> {
            try {
                loaded.put(name, AcceptedKey.load(Path.of(file)));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalStateException("canary.signatures.keys." + name + ": cannot read a public key from "
                    + file + ": " + e.getMessage(), e);
            }
        });
        return loaded;
    }

    private static Map<String, AcceptedIdentity> identities(SignatureConfig config) {
        Map<String, AcceptedIdentity> parsed = new LinkedHashMap<>();
        config.identities().forEach((name, text) -> {
            try {
                parsed.put(name, AcceptedIdentity.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("canary.signatures.identities." + name + ": " + e.getMessage(), e);
            }
        });
        return parsed;
    }

    /** Every key and identity a namespace names is defined (keys by configuration, even when none is read). */
    private static void namespacesNameDefined(SignatureConfig config, Map<String, AcceptedIdentity> identities) {
        config.namespaces().forEach((ns, p) -> p.keys().ifPresent(names -> names.forEach(n -> {
            if (!config.keys().containsKey(n)) {
                throw new IllegalStateException("canary.signatures.namespaces." + ns + ".keys names key '" + n
                    + "', which canary.signatures.keys does not define");
            }
        })));
        config.namespaces().forEach((ns, p) -> p.identities().ifPresent(names -> names.forEach(n -> {
            if (!identities.containsKey(n)) {
                throw new IllegalStateException("canary.signatures.namespaces." + ns + ".identities names identity '"
                    + n + "', which canary.signatures.identities does not define");
            }
        })));
    }

    private static Optional<KeylessBundles> trustedRoot(SignatureConfig config) {
        if (config.trustedRoot().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(KeylessBundles.load(Path.of(config.trustedRoot().get())));
        } catch (IOException e) {
            throw new IllegalStateException("canary.signatures.trusted-root: " + e.getMessage(), e);
        }
    }

    private static DockerConfig credentials(SignatureConfig config) {
        Optional<Path> dockerConfig = config.dockerConfig().map(Path::of);
        if (dockerConfig.isEmpty()) {
            return DockerConfig.empty();
        }
        if (!Files.exists(dockerConfig.get())) {
            // an optional Secret that is not there (public registries): anonymous, said once
            LOG.warnf("canary.signatures.docker-config %s does not exist: registries are asked anonymously",
                dockerConfig.get());
            return DockerConfig.empty();
        }
        try {
            return DockerConfig.load(dockerConfig.get());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("canary.signatures.docker-config: " + e.getMessage(), e);
        }
    }
}
