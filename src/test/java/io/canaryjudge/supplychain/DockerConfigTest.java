package io.canaryjudge.supplychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigTest {
    @Test
    void readsAuthEntriesByHostWhateverFormTheKeyTakes(@TempDir Path dir) throws Exception {
        DockerConfig c = DockerConfig.parse("""
                {"auths": {
                  "registry.example.com:5000": {"auth": "ZGVwbG95ZXI6czNjcjN0OndpdGg6Y29sb25z"},
                  "https://ghcr.example.org/v2/": {"username": "bot", "password": "tok"},
                  "https://index.docker.io/v1/": {"auth": "aHViOmh1YnBhc3M="},
                  "helper-only.example.com": {}
                }, "credHelpers": {"helper-only.example.com": "ecr-login"}}
                """);

        DockerConfig.Credentials a = c.credentialsFor("registry.example.com:5000").orElseThrow();
        assertEquals("deployer", a.username());
        assertEquals("s3cr3t:with:colons", a.password());
        assertEquals("bot", c.credentialsFor("GHCR.example.org").orElseThrow().username());
        assertEquals("hub", c.credentialsFor("docker.io").orElseThrow().username());
        assertEquals("hub", c.credentialsFor("registry-1.docker.io").orElseThrow().username());
        assertTrue(c.credentialsFor("helper-only.example.com").isEmpty(), "credential helpers are not run");
        assertTrue(c.credentialsFor("registry.example.com").isEmpty(), "the port is part of the host");
        assertFalse(a.toString().contains("s3cr3t"));
        assertTrue(DockerConfig.load(dir.resolve("missing.json")).hosts().isEmpty());
    }

    @Test
    void refusesAnAuthThatIsNotBase64UserColonPassword() {
        assertThrows(IllegalArgumentException.class, () -> DockerConfig.parse("{\"auths\":{\"h\":{\"auth\":\"%%%\"}}}"));
        assertThrows(IllegalArgumentException.class, () -> DockerConfig.parse("{\"auths\":{\"h\":{\"auth\":\"bm9jb2xvbg==\"}}}"));
    }
}
