package io.canaryjudge.supplychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The service's own SBOM, written by the CycloneDX Maven plugin at {@code package}: a process-level test (failsafe,
 * after {@code package}) because the file does not exist while the unit tests run. Versions are read from pom.xml,
 * so upgrades do not break it.
 */
class ServiceSbomIT {
    static final Path BOM = Path.of("target", "bom.json");

    @Test
    void theSbomListsTheRuntimeDependenciesWithTheirVersionsAndHashes() throws Exception {
        assertTrue(Files.exists(BOM), BOM + " missing: it is written at 'package' (not with -Dcyclonedx.skip=true, and not under mvn -o, "
                + "which the plugin refuses to run offline)");
        assertTrue(Files.exists(Path.of("target", "bom.xml")));
        String pom = Files.readString(Path.of("pom.xml"));
        JsonNode bom = new ObjectMapper().readTree(BOM.toFile());

        assertEquals("CycloneDX", bom.path("bomFormat").asText());
        JsonNode self = bom.path("metadata").path("component");
        assertEquals("canary-judge", self.path("name").asText());
        assertEquals(property(pom, "project.version"), self.path("version").asText());
        assertEquals("application", self.path("type").asText());

        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode c : bom.path("components")) {
            byName.put(c.path("group").asText() + ":" + c.path("name").asText(), c);
        }
        JsonNode quarkus = byName.get("io.quarkus:quarkus-core");
        JsonNode math = byName.get("org.apache.commons:commons-math3");
        assertEquals(property(pom, "quarkus.platform.version"), quarkus.path("version").asText());
        assertEquals(property(pom, "commons-math3.version"), math.path("version").asText());
        assertEquals("pkg:maven/org.apache.commons/commons-math3@" + property(pom, "commons-math3.version") + "?type=jar",
                math.path("purl").asText());
        boolean sha256 = false;
        for (JsonNode h : math.path("hashes")) {
            sha256 |= h.path("alg").asText().equals("SHA-256") && h.path("content").asText().matches("[0-9a-f]{64}");
        }
        assertTrue(sha256, "components carry their SHA-256");
        // what only the tests use is not shipped, so not listed
        assertFalse(byName.containsKey("org.junit.jupiter:junit-jupiter-api"));
        assertFalse(byName.containsKey("io.rest-assured:rest-assured"));
        assertFalse(byName.containsKey("org.apache.kafka:kafka_2.13"));
    }

    private static String property(String pom, String name) {
        if (name.equals("project.version")) {
            Matcher m = Pattern.compile("<artifactId>canary-judge</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
            assertTrue(m.find());
            return m.group(1);
        }
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name + " not in pom.xml");
        return m.group(1);
    }
}
