package io.canaryjudge.verdict;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The store's datasource: whichever of the built-in "h2" and "pg" datasources is active (see {@link DatabaseConfigSource}). */
@ApplicationScoped
public class StoreDataSource {

    @Produces
    @ApplicationScoped
    javax.sql.DataSource store(@ConfigProperty(name = "canary.db.active", defaultValue = "h2") String active) {
        return Arc.container().select(AgroalDataSource.class, new DataSource.DataSourceLiteral(active)).get();
    }
}
