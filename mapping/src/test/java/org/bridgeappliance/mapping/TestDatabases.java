package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Fresh private databases for tests, one per call: in-memory H2 by default; with
 * {@code -Dmapping.test.postgresUrl=jdbc:postgresql://host:port/db?user=...} a fresh schema on
 * that PostgreSQL server instead (dropped on close), which checks that the SQL is portable.
 */
final class TestDatabases {
    /** A low work factor: hashing at the production cost would make the admin tests slow. */
    static final int TEST_ITERATIONS = 1000;
    static final String POSTGRES_URL_PROPERTY = "mapping.test.postgresUrl";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabases() {
    }

    static MappingDatabase fresh(Class<?> testClass) {
        String name = testClass.getSimpleName() + "-" + COUNTER.incrementAndGet();
        String postgresUrl = System.getProperty(POSTGRES_URL_PROPERTY, "");
        if (postgresUrl.isBlank()) {
            return MappingDatabase.openH2InMemory(name, new PasswordHasher(TEST_ITERATIONS));
        }
        return freshPostgresSchema(postgresUrl, "t_" + name.toLowerCase().replace('-', '_') + "_" + ProcessHandle.current().pid());
    }

    private static MappingDatabase freshPostgresSchema(String url, String schema) {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setUrl(url);
        execute(admin, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        execute(admin, "CREATE SCHEMA " + schema);
        PGSimpleDataSource scoped = new PGSimpleDataSource();
        scoped.setUrl(url);
        scoped.setCurrentSchema(schema);
        return MappingDatabase.open(scoped, new PasswordHasher(TEST_ITERATIONS),
                () -> execute(admin, "DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    private static void execute(PGSimpleDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
