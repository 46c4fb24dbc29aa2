package io.canaryjudge.supplychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    void parsesRegistryPortRepositoryAndDigest() {
        ImageReference r = ImageReference.parse("registry.example.com:5000/team/app@sha256:" + HEX);

        assertEquals("registry.example.com:5000", r.registry());
        assertEquals("team/app", r.repository());
        assertEquals("sha256:" + HEX, r.digest());
        assertEquals("sha256-" + HEX + ".sig", r.signatureTag());
        assertEquals("sha256-" + HEX, r.referrersTag());
        assertEquals("registry.example.com:5000/team/app@sha256:" + HEX, r.toString());
        assertEquals(r, ImageReference.parse(r.toString()));
    }

    @Test
    void aTagBesideTheDigestIsDroppedAndDockerHubNamesAreExpanded() {
        assertEquals("127.0.0.1:5000/team/app@sha256:" + HEX,
                ImageReference.parse("127.0.0.1:5000/team/app:v1.2@sha256:" + HEX).toString());
        assertEquals("localhost/app@sha256:" + HEX, ImageReference.parse("localhost/app@sha256:" + HEX).toString());
        ImageReference hub = ImageReference.parse("nginx@sha256:" + HEX);
        assertEquals("docker.io/library/nginx@sha256:" + HEX, hub.toString());
        assertEquals("registry-1.docker.io", hub.apiHost());
        assertEquals("docker.io/team/app@sha256:" + HEX, ImageReference.parse("team/app@sha256:" + HEX).toString());
    }

    @Test
    void refusesWhatIsNotAddressedByASha256Digest() {
        Map<String, String> refused = Map.of(
                "registry.example.com/team/app:v1", "not addressed by a digest",
                "registry.example.com/team/app", "not addressed by a digest",
                "registry.example.com/team/app@sha512:" + "ab".repeat(64), "only sha256 digests",
                "registry.example.com/team/app@sha256:" + HEX.toUpperCase(), "malformed sha256 digest",
                "registry.example.com/team/app@sha256:" + HEX.substring(1), "malformed sha256 digest",
                "registry.example.com/Team/App@sha256:" + HEX, "not a repository name",
                "registry.example.com/team/../app@sha256:" + HEX, "not a repository name",
                "", "empty image reference");
        refused.forEach((ref, words) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(ref), ref);
            assertTrue(e.getMessage().contains(words), ref + " -> " + e.getMessage());
        });
    }
}
