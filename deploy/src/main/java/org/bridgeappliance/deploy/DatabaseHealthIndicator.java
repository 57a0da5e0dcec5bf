package org.bridgeappliance.deploy;

import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.reactivestreams.Publisher;

/**
 * The database in {@code GET /health}: a connection from the pool that answers. Cheap (the
 * embedded H2 runs in-process; no network wait), so it runs inline. Details give the SQL state
 * only, never the URL or credentials.
 */
@Singleton
@Readiness
public class DatabaseHealthIndicator implements HealthIndicator {
    private final DataSource dataSource;

    public DatabaseHealthIndicator(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        HealthResult result;
        try (Connection c = dataSource.getConnection()) {
            result = c.isValid(2)
                    ? HealthResult.builder("database", HealthStatus.UP).build()
                    : HealthResult.builder("database", HealthStatus.DOWN).details(Map.of("error", "connection invalid"))
                            .build();
        } catch (SQLException e) {
            result = HealthResult.builder("database", HealthStatus.DOWN)
                    .details(Map.of("error", "no connection (SQLState " + e.getSQLState() + ")")).build();
        }
        return Publishers.just(result);
    }
}
