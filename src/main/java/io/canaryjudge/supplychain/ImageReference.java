package io.canaryjudge.supplychain;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image addressed by its content: {@code registry[:port]/repository@sha256:<64 hex>}. A tag alone names whatever
 * was pushed last and is refused; {@code name:tag@sha256:…} is accepted and the tag dropped, since the digest decides.
 * A name without a registry part ({@code team/app@sha256:…}) means Docker Hub, as in docker's own rules.
 *
 * @param registry   host[:port] as written (lower case), {@code docker.io} for Docker Hub
 * @param repository the repository path inside the registry, e.g. {@code team/app}
 * @param digest     {@code sha256:} and 64 lower-case hex digits
 */
public record ImageReference(String registry, String repository, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    // distribution/reference: path components of lower-case alphanumerics joined by '.', '_', '__' or '-'s
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern HOST = Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
            + "(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?|\\[[0-9a-fA-F:.]+\\](?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public ImageReference {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        if (!HOST.matcher(registry).matches()) {
            throw new IllegalArgumentException("not a registry host: " + registry);
        }
        registry = registry.toLowerCase(Locale.ROOT);
        if (repository.isEmpty() || repository.length() > 255) {
            throw new IllegalArgumentException("repository name empty or longer than 255 characters");
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("not a repository name: " + repository);
            }
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest (sha256: and 64 lower-case hex digits): " + digest);
        }
    }

    /**
     * Parses {@code [registry/]repository[:tag]@sha256:<hex>}.
     *
     * @throws IllegalArgumentException for anything not addressed by a sha256 digest, or malformed
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("empty image reference");
        }
        String ref = reference.trim();
        int at = ref.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("image is not addressed by a digest (name@sha256:…): " + ref);
        }
        String name = ref.substring(0, at);
        String digest = ref.substring(at + 1);
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("only sha256 digests are accepted, not " + digest);
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("malformed sha256 digest: " + digest);
        }
        // drop a tag: a ':' after the last '/' (a ':' before it is the registry's port)
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        if (colon > slash) {
            String tag = name.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("malformed tag: " + tag);
            }
            name = name.substring(0, colon);
        }
        String registry;
        String repository;
        int first = name.indexOf('/');
        String head = first < 0 ? "" : name.substring(0, first);
        if (first > 0 && (head.contains(".") || head.contains(":") || head.equals("localhost") || head.startsWith("["))) {
            registry = head;
            repository = name.substring(first + 1);
        } else {
            registry = DOCKER_HUB;
            repository = first < 0 ? "library/" + name : name;
        }
        return new ImageReference(registry, repository, digest);
    }

    /** The 64 hex digits of the digest. */
    public String digestHex() {
        return digest.substring("sha256:".length());
    }

    /** cosign's tag for the signatures of this digest: {@code sha256-<hex>.sig}. */
    public String signatureTag() {
        return "sha256-" + digestHex() + ".sig";
    }

    /** The OCI referrers tag schema's fallback tag for this digest: {@code sha256-<hex>}. */
    public String referrersTag() {
        return "sha256-" + digestHex();
    }

    /** Where the registry's API is served: Docker Hub's API host differs from its name. */
    public String apiHost() {
        return DOCKER_HUB.equals(registry) ? "registry-1.docker.io" : registry;
    }

    /** {@code registry/repository}, as in reasons ("… in registry/repo"). */
    public String repositoryPath() {
        return registry + "/" + repository;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + "@" + digest;
    }
}
