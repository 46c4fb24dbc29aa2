package io.canaryjudge.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** A real PostgreSQL for the service under test, switched on the way users do it: CANARY_DB_URL's datasource. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    private PostgresServer server;

    @Override
    public Map<String, String> start() {
        server = PostgresServer.start();
        return Map.of(
                "quarkus.datasource.\"pg\".active", "true",
                "quarkus.flyway.\"pg\".active", "true",
                "quarkus.datasource.\"h2\".active", "false",
                "quarkus.flyway.\"h2\".active", "false",
                "canary.db.active", "pg",
                "quarkus.datasource.\"pg\".jdbc.url", server.jdbcUrl(),
                "quarkus.datasource.\"pg\".username", server.user());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
