package io.canaryjudge.event;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A package URL of type {@code oci} pinned to an image digest, as CDEvents carries it in {@code artifactId}:
 * {@code pkg:oci/<name>@sha256%3A<hex>[?repository_url=<registry/path/name>]}. Written the way the purl spec's
 * OCI type and the CDEvents spec write it (the digest's colon as {@code %3A}); read leniently (an unencoded colon,
 * other qualifiers and a subpath are accepted and ignored).
 *
 * @param name          the image name, the last path segment of the repository, lower case
 * @param digest        {@code sha256:<64 hex>}, decoded
 * @param repositoryUrl the full repository without digest or tag ({@code ghcr.io/shop/checkout}), may be null
 */
public record OciPurl(String name, String digest, String repositoryUrl) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+([._-]+[a-z0-9]+)*");

    public OciPurl {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(digest, "digest == null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name is not a lower-case image name: " + name);
        }
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("digest is not sha256:<64 lowercase hex>");
        }
    }

    /** The purl of {@code digest} in {@code repository} ({@code registry/path/name}, no tag or digest). */
    public static OciPurl of(String repository, String digest) {
        String name = repository.substring(repository.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return new OciPurl(name, digest, repository.contains("/") ? repository : null);
    }

    /**
     * Reads an OCI package URL.
     *
     * @throws IllegalArgumentException saying what is wrong, in words fit for a dead-letter reason
     */
    public static OciPurl parse(String purl) {
        if (purl == null || !purl.regionMatches(true, 0, "pkg:", 0, 4)) {
            throw new IllegalArgumentException("not a package URL (pkg:oci/<name>@sha256%3A<hex>)");
        }
        String rest = purl.substring(4).replaceFirst("^/+", "");
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(0, slash).equalsIgnoreCase("oci")) {
            throw new IllegalArgumentException("package URL type is not oci: only container images can be judged");
        }
        rest = rest.substring(slash + 1);
        int at = rest.lastIndexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("package URL has no version: the image digest (sha256%3A<hex>) is required");
        }
        String name = decode(rest.substring(0, at)).toLowerCase(Locale.ROOT);
        String digest = decode(rest.substring(at + 1));
        if (!DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("package URL version '" + abbreviate(digest)
                    + "' is not an image digest sha256:<64 lowercase hex> (digests, never tags)");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("package URL name '" + abbreviate(name) + "' is not an image name");
        }
        String repository = null;
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equalsIgnoreCase("repository_url")) {
                    repository = decode(pair.substring(eq + 1)).replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
                }
            }
        }
        return new OciPurl(name, digest, repository == null || repository.isBlank() ? null : repository);
    }

    /**
     * The image repository both digests live in: {@code repository_url} when it already ends with the name (as the
     * purl OCI type defines it), {@code repository_url/name} when it names only the registry and path; null without one.
     */
    public String image() {
        if (repositoryUrl == null) {
            return null;
        }
        String repo = repositoryUrl.replaceAll("/+$", "");
        return repo.substring(repo.lastIndexOf('/') + 1).equals(name) ? repo : repo + "/" + name;
    }

    /** The canonical form: {@code pkg:oci/<name>@sha256%3A<hex>[?repository_url=<repository>]}. */
    @Override
    public String toString() {
        return "pkg:oci/" + encode(name, false) + "@" + encode(digest, false)
                + (repositoryUrl == null ? "" : "?repository_url=" + encode(repositoryUrl, true));
    }

    /**
     * Percent-encodes all but unreserved characters and '/'. A qualifier value keeps ':' (a registry port) as the
     * purl spec's examples write {@code repository_url}; the version encodes it ({@code sha256%3A}).
     */
    static String encode(String s, boolean keepColon) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_' || c == '~' || c == '/' || (c == ':' && keepColon)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("package URL has a truncated percent escape");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("package URL has an invalid percent escape");
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
    }
}
