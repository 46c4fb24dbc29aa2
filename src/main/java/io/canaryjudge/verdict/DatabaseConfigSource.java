package io.canaryjudge.verdict;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the one setting users care about, {@code CANARY_DB_URL} (system property {@code canary.db.url}), into
 * Quarkus' datasource configuration: a {@code jdbc:postgresql:} URL activates the built-in "pg" datasource
 * and deactivates the embedded "h2" one; anything else (or nothing) keeps the embedded H2 store. Quarkus fixes
 * each datasource's kind at build time, so both are built and exactly one is active at run time.
 * Ordinal 275: above application.properties, below environment variables and system properties that set the
 * Quarkus properties directly.
 */
public class DatabaseConfigSource implements ConfigSource {
    static final String PG = "pg";
    static final String H2 = "h2";
    private final Map<String, String> values;

    static {
        // H2 interns every string value it reads or binds in a small soft cache, hashing the whole string first: for
        // measurement documents of tens of kilobytes that hashing is a visible share of the service's CPU under load
        // (profile in BENCHMARKS.md). The cache saves nothing for documents; turn it off unless the user set it. This class
        // is loaded with the configuration, before any datasource, so H2 reads the property when it first loads.
        if (System.getProperty("h2.objectCache") == null) {
            System.setProperty("h2.objectCache", "false");
        }
    }

    public DatabaseConfigSource() {
        this.values = derive(setting("canary.db.url", "CANARY_DB_URL"), setting("canary.db.user", "CANARY_DB_USER"),
                setting("canary.db.password", "CANARY_DB_PASSWORD"));
    }

    static Map<String, String> derive(String url, String user, String password) {
        Map<String, String> v = new HashMap<>();
        boolean postgres = url != null && url.startsWith("jdbc:postgresql:");
        v.put("quarkus.datasource.\"pg\".active", Boolean.toString(postgres));
        v.put("quarkus.flyway.\"pg\".active", Boolean.toString(postgres));
        v.put("quarkus.datasource.\"h2\".active", Boolean.toString(!postgres));
        v.put("quarkus.flyway.\"h2\".active", Boolean.toString(!postgres));
        v.put("canary.db.active", postgres ? PG : H2);
        String name = postgres ? PG : H2;
        if (url != null && !url.isBlank()) {
            v.put("quarkus.datasource.\"" + name + "\".jdbc.url", url);
        }
        if (user != null) {
            v.put("quarkus.datasource.\"" + name + "\".username", user);
        }
        if (password != null) {
            v.put("quarkus.datasource.\"" + name + "\".password", password);
        }
        return Map.copyOf(v);
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(env);
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "canary-db";
    }

    @Override
    public int getOrdinal() {
        return 275;
    }
}
