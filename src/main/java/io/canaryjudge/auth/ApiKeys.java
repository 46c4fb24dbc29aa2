package io.canaryjudge.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API keys, kept only as SHA-256 digests and compared in constant time; a key never appears in
 * a log line or an error.
 */
final class ApiKeys {
    static final Set<String> ROLES = Set.of("deployer", "approver", "reader", "admin", "flagger", "kayenta");
    /**
     * Roles that allow one integration's endpoints and nothing else: the only roles a key sent in a URL path may carry
     * (a URL is written into the peer's manifests and shows up in proxies' logs).
     */
    static final Set<String> INTEGRATION_ROLES = Set.of("flagger", "kayenta");

    /** A caller: its name (recorded in history) and roles. */
    record Principal(String name, Set<String> roles) {
        boolean has(String role) {
            return roles.contains(role) || roles.contains("admin");
        }

        /** Whether every role of this caller is an integration role. */
        boolean integrationOnly() {
            return INTEGRATION_ROLES.containsAll(roles);
        }
    }

    private record Entry(byte[] digest, Principal principal) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** @throws IllegalArgumentException naming the bad entry by position, never by its key */
    static ApiKeys parse(List<String> specs) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i).trim();
            if (spec.isEmpty()) {
                continue;
            }
            String[] parts = spec.split(":", 3);
            if (parts.length != 3 || parts[0].isBlank() || parts[1].length() < 16) {
                throw new IllegalArgumentException("canary.auth.api-keys entry " + (i + 1)
                        + " must be name:key:role+role with a key of at least 16 characters");
            }
            Set<String> roles = Set.of(parts[2].split("\\+"));
            if (!ROLES.containsAll(roles)) {
                throw new IllegalArgumentException("canary.auth.api-keys entry " + (i + 1) + " (" + parts[0]
                        + ") has an unknown role; known: " + ROLES);
            }
            entries.add(new Entry(sha256(parts[1]), new Principal(parts[0], roles)));
        }
        return new ApiKeys(entries);
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Optional<Principal> find(String key) {
        byte[] digest = sha256(key);
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest)) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
