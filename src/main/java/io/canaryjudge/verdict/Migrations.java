package io.canaryjudge.verdict;

import io.canaryjudge.DaemonThreads;
import io.quarkus.arc.Arc;
import io.quarkus.flyway.FlywayDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Runs the Flyway migrations of the active store in the background and retries until the database answers, so
 * a database that is down at start-up makes the service unready, not a crash loop. Readiness stays DOWN until
 * the schema is current.
 */
@ApplicationScoped
@Readiness
public class Migrations implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(Migrations.class);

    private final String active;
    private final long retryMillis;
    private volatile boolean done;
    private volatile String lastError = "not started";
    private ScheduledExecutorService retry;

    Migrations(@ConfigProperty(name = "canary.db.active", defaultValue = "h2") String active,
               @ConfigProperty(name = "canary.db.migration-retry", defaultValue = "5s") java.time.Duration retry) {
        this.active = active;
        this.retryMillis = retry.toMillis();
    }

    void onStart(@Observes StartupEvent ev) {
        retry = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-migrations"));
        // First attempt in line, so a reachable database is migrated before anything is served; only when it
        // fails does start-up go on (unready) and the retries continue in the background.
        migrate();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (retry != null) {
            retry.shutdownNow();
        }
    }

    /** Whether the schema is current; stores may be used before, and then fail and retry. */
    public boolean done() {
        return done;
    }

    private void migrate() {
        try {
            Flyway flyway = Arc.container().select(Flyway.class, FlywayDataSource.FlywayDataSourceLiteral.of(active)).get();
            int applied = flyway.migrate().migrationsExecuted;
            done = true;
            LOG.infof("store=%s migrations=done applied=%d", active, applied);
        } catch (RuntimeException e) {
            lastError = e.getMessage();
            LOG.warnf("store=%s migrations=failed retry-in=%dms error=%s", active, retryMillis, e.getMessage());
            retry.schedule(this::migrate, retryMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("store-migrations").status(done).withData("store", active)
                .withData("error", done ? "" : String.valueOf(lastError)).build();
    }
}
