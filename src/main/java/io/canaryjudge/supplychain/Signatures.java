package io.canaryjudge.supplychain;

import io.canaryjudge.judge.Verdict;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The signature policy of the service: for a namespace, the mode, the accepted keys and keyless identities, and the
 * check of one digest before it is promoted or written back by a rollback. Keys, identities and the pinned trusted
 * root are read at start-up ({@link SignatureMaterial}: a missing or unreadable file, or a malformed identity, stops
 * the service); the registry is asked only when a mode is not off, through one cached verifier per set of keys and
 * identities.
 */
@ApplicationScoped
@Startup
public class Signatures {
    private static final Logger LOG = Logger.getLogger(Signatures.class);

    private final SignatureConfig config;
    private final SignatureMode defaultMode;
    private final Map<String, AcceptedKey> keys;
    private final RegistryClient.Settings registrySettings;
    /** Made on the first check: its HTTP client sets up TLS, which a service with every mode off never needs. */
    private volatile RegistryClient registry;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<Accepted, CosignVerifier> verifiers = new ConcurrentHashMap<>();
    private final Map<String, AcceptedIdentity> identities;
    private final KeylessBundles keyless;

    /** What one namespace accepts: names of keys and of keyless identities. */
    private record Accepted(List<String> keys, List<String> identities) {
    }

    public Signatures(SignatureConfig config, Clock clock, MeterRegistry meters) {
        this.config = config;
        this.clock = clock;
        this.meters = meters;
        this.defaultMode = SignatureMode.parse(config.mode());
        unsignedVerdict(config.unsigned());
        config.namespaces().forEach((ns, p) -> p.mode().ifPresent(SignatureMode::parse));
        boolean anyChecked = defaultMode != SignatureMode.OFF || config.namespaces().values().stream()
            .anyMatch(p -> p.mode().map(SignatureMode::parse).orElse(defaultMode) != SignatureMode.OFF);
        SignatureMaterial material = SignatureMaterial.load(config, anyChecked);
        this.keys = material.keys();
        this.identities = material.identities();
        this.keyless = material.keyless();
        this.registrySettings = RegistryClient.Settings.defaults().withTimeout(config.timeout())
            .withInsecureHosts(new HashSet<>(config.insecureRegistries().orElse(List.of())))
            .withCredentials(material.credentials());
    }

    /** The mode for a namespace: its own, or the service-wide one. */
    public SignatureMode mode(String namespace) {
        SignatureConfig.NamespacePolicy p = config.namespaces().get(namespace);
        return p != null && p.mode().isPresent() ? SignatureMode.parse(p.mode().get()) : defaultMode;
    }

    /** The verdict an unverified canary gets under {@code required}: INCONCLUSIVE or ABORT. */
    public Verdict unsignedVerdict() {
        return unsignedVerdict(config.unsigned());
    }

    /**
     * Checks {@code digest} of {@code repository} (e.g. {@code registry.example.com/shop/checkout}; may be null when
     * the event named none) for {@code namespace}'s policy.
     */
    public SignatureCheck check(String namespace, String repository, String digest, SignatureCheck.Purpose purpose) {
        SignatureMode mode = mode(namespace);
        SignatureCheck c;
        if (mode == SignatureMode.OFF) {
            c = new SignatureCheck(purpose, mode, null, SignatureCheck.NOT_CHECKED, true, null, null,
                "signatures are not checked in namespace " + namespace);
        } else if (repository == null || repository.isBlank()) {
            c = new SignatureCheck(purpose, mode, null, SignatureCheck.NOT_CHECKED, mode != SignatureMode.REQUIRED,
                null, null, "the deployment event names no image repository (field image), so the signature of "
                + digest + " cannot be checked");
        } else {
            c = verify(namespace, mode, repository + "@" + digest, purpose);
        }
        meters.counter("canary.signature.checks", "purpose", purpose.name().toLowerCase(), "status",
            c.status().toLowerCase(), "allowed", Boolean.toString(c.allowed())).increment();
        if (!c.verified() && mode != SignatureMode.OFF) {
            LOG.warnf("signature namespace=%s purpose=%s image=%s status=%s allowed=%s reason=\"%s\"", namespace,
                purpose, c.image(), c.status(), c.allowed(), c.reason());
        }
        return c;
    }

    private SignatureCheck verify(String namespace, SignatureMode mode, String reference,
                                  SignatureCheck.Purpose purpose) {
        ImageReference image;
        try {
            image = ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            return new SignatureCheck(purpose, mode, reference, VerificationResult.Status.REJECTED.name(),
                mode != SignatureMode.REQUIRED, null, clock.instant(), "not an image reference: " + e.getMessage());
        }
        CosignVerifier verifier = verifier(namespace);
        if (verifier == null) {
            return new SignatureCheck(purpose, mode, image.toString(), VerificationResult.Status.REJECTED.name(),
                mode != SignatureMode.REQUIRED, null, clock.instant(), "namespace " + namespace
                + " accepts no key and no keyless identity");
        }
        VerificationResult r = verifier.verify(image);
        boolean allowed = r.verified() || mode != SignatureMode.REQUIRED;
        return new SignatureCheck(purpose, mode, image.toString(), r.status().name(), allowed, r.keyId(),
            r.checkedAt(), r.reason());
    }

    /** The namespace's verifier; null when it accepts nothing (no key, no identity). */
    private CosignVerifier verifier(String namespace) {
        SignatureConfig.NamespacePolicy p = config.namespaces().get(namespace);
        List<String> names = p != null && p.keys().isPresent() ? List.copyOf(p.keys().get())
            : List.copyOf(keys.keySet());
        List<String> identityNames = p != null && p.identities().isPresent() ? List.copyOf(p.identities().get())
            : List.copyOf(identities.keySet());
        Accepted accepted = new Accepted(names, identityNames);
        if (accepted.keys().isEmpty() && accepted.identities().isEmpty()) {
            return null;
        }
        return verifiers.computeIfAbsent(accepted, a -> {
            List<AcceptedKey> list = new ArrayList<>();
            a.keys().forEach(k -> list.add(keys.get(k)));
            List<AcceptedIdentity> ids = new ArrayList<>();
            a.identities().forEach(i -> ids.add(identities.get(i)));
            return new CosignVerifier(registry(), list, ids, keyless, CosignVerifier.Options.defaults()
                .withTtls(config.verifiedTtl(), config.rejectedTtl(), Duration.ZERO), clock);
        });
    }

    private static Verdict unsignedVerdict(String text) {
        return switch (Optional.ofNullable(text).orElse("").trim().toLowerCase()) {
            case "inconclusive" -> Verdict.INCONCLUSIVE;
            case "abort" -> Verdict.ABORT;
            default -> throw new IllegalArgumentException(
                "canary.signatures.unsigned must be inconclusive or abort, not '" + text + "'");
        };
    }

    private RegistryClient registry() {
        RegistryClient r = registry;
        if (r == null) {
            synchronized (this) {
                r = registry;
                if (r == null) {
                    r = new RegistryClient(registrySettings, clock);
                    registry = r;
                }
            }
        }
        return r;
    }
}
