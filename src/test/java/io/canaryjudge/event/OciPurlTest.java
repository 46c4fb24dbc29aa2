package io.canaryjudge.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OciPurlTest {
    private static final String HEX = "0b31b1c02ff458ad9b7b81cbdf8f028bd54699fa151f221d1e8de6817db93427";
    private static final String DIGEST = "sha256:" + HEX;

    @Test
    void writesTheDigestColonPercentEncodedAsTheSpecExampleDoes() {
        // the CDEvents spec's own artifactId example (continuous-deployment.md, service)
        assertEquals("pkg:oci/myapp@sha256%3A" + HEX, new OciPurl("myapp", DIGEST, null).toString());
    }

    @Test
    void writesTheRepositoryAsRepositoryUrlKeepingSlashesAndThePort() {
        assertEquals("pkg:oci/checkout@sha256%3A" + HEX + "?repository_url=registry.example.com:5000/shop/checkout",
                OciPurl.of("registry.example.com:5000/shop/checkout", DIGEST).toString());
    }

    @Test
    void aRepositoryWithoutPathIsOnlyTheName() {
        OciPurl p = OciPurl.of("checkout", DIGEST);
        assertEquals("checkout", p.name());
        assertNull(p.repositoryUrl());
        assertEquals("pkg:oci/checkout@sha256%3A" + HEX, p.toString());
    }

    @Test
    void readsTheSpecExampleAndDecodesTheDigest() {
        OciPurl p = OciPurl.parse("pkg:oci/myapp@sha256%3A" + HEX);
        assertEquals("myapp", p.name());
        assertEquals(DIGEST, p.digest());
        assertNull(p.image());
    }

    @Test
    void readsAnUnencodedColonAndIgnoresOtherQualifiersAndSubpath() {
        OciPurl p = OciPurl.parse("pkg:oci/debian@" + DIGEST + "?arch=amd64&repository_url=docker.io/library/debian"
                + "&tag=latest#usr/bin");
        assertEquals(DIGEST, p.digest());
        assertEquals("docker.io/library/debian", p.repositoryUrl());
        assertEquals("docker.io/library/debian", p.image());
    }

    @Test
    void aRepositoryUrlNamingOnlyTheRegistryPathGetsTheNameAppended() {
        OciPurl p = OciPurl.parse("pkg:oci/checkout@sha256%3a" + HEX + "?repository_url=https%3A%2F%2Fghcr.io%2Fshop");
        assertEquals("ghcr.io/shop", p.repositoryUrl());
        assertEquals("ghcr.io/shop/checkout", p.image());
    }

    @Test
    void roundTrips() {
        OciPurl p = OciPurl.of("ghcr.io/shop/checkout", DIGEST);
        assertEquals(p, OciPurl.parse(p.toString()));
    }

    @Test
    void rejectsWhatIsNotAnOciDigest() {
        assertEquals("package URL version 'v1.2.3' is not an image digest sha256:<64 lowercase hex> (digests, never tags)",
                assertThrows(IllegalArgumentException.class, () -> OciPurl.parse("pkg:oci/app@v1.2.3")).getMessage());
        assertEquals("package URL type is not oci: only container images can be judged",
                assertThrows(IllegalArgumentException.class,
                        () -> OciPurl.parse("pkg:golang/mygit.com/myorg/myapp@234fd47e07d1004f0aed9c")).getMessage());
        assertEquals("package URL has no version: the image digest (sha256%3A<hex>) is required",
                assertThrows(IllegalArgumentException.class, () -> OciPurl.parse("pkg:oci/app")).getMessage());
        assertEquals("not a package URL (pkg:oci/<name>@sha256%3A<hex>)",
                assertThrows(IllegalArgumentException.class, () -> OciPurl.parse(HEX)).getMessage());
        assertEquals("package URL has an invalid percent escape",
                assertThrows(IllegalArgumentException.class, () -> OciPurl.parse("pkg:oci/app@sha256%ZZ" + HEX))
                        .getMessage());
    }
}
