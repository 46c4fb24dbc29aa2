package io.canaryjudge.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseConfigSourceTest {

    @Test
    void postgresUrlActivatesThePostgresDatasourceOnly() {
        Map<String, String> v = DatabaseConfigSource.derive("jdbc:postgresql://db:5432/canary", "judge", "pw");
        assertEquals("true", v.get("quarkus.datasource.\"pg\".active"));
        assertEquals("false", v.get("quarkus.datasource.\"h2\".active"));
        assertEquals("true", v.get("quarkus.flyway.\"pg\".active"));
        assertEquals("false", v.get("quarkus.flyway.\"h2\".active"));
        assertEquals("pg", v.get("canary.db.active"));
        assertEquals("jdbc:postgresql://db:5432/canary", v.get("quarkus.datasource.\"pg\".jdbc.url"));
        assertEquals("judge", v.get("quarkus.datasource.\"pg\".username"));
        assertEquals("pw", v.get("quarkus.datasource.\"pg\".password"));
    }

    @Test
    void loadingTheConfigurationTurnsOffH2sStringCache() {
        new DatabaseConfigSource();
        // set before any datasource exists (the service's JVM has no other H2 user); a user's own -D wins
        assertEquals("false", System.getProperty("h2.objectCache"));
    }

    @Test
    void noUrlKeepsTheEmbeddedDefault() {
        Map<String, String> v = DatabaseConfigSource.derive(null, null, null);
        assertEquals("true", v.get("quarkus.datasource.\"h2\".active"));
        assertEquals("false", v.get("quarkus.datasource.\"pg\".active"));
        assertEquals("h2", v.get("canary.db.active"));
        assertFalse(v.containsKey("quarkus.datasource.\"h2\".jdbc.url"), "application.properties' default applies");
    }

    @Test
    void h2UrlIsUsedForTheEmbeddedStore() {
        Map<String, String> v = DatabaseConfigSource.derive("jdbc:h2:file:/data/x", null, null);
        assertEquals("jdbc:h2:file:/data/x", v.get("quarkus.datasource.\"h2\".jdbc.url"));
    }
}
