package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {
    private JdbcConnectionPool pool;

    @BeforeEach
    void createEmptyDatabase() {
        pool = H2DataSources.inMemory("migrations-" + System.nanoTime());
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.createStatement().execute("SHUTDOWN");
        }
        pool.dispose();
    }

    @Test
    void migratesAnEmptyDatabaseAndAReRunIsANoOp() throws SQLException {
        assertEquals(SchemaMigrations.MIGRATIONS.size(), SchemaMigrations.migrate(pool));
        List<String> tables = tables();
        for (String expected : List.of("bridged_room", "portal", "puppet", "identity_link", "identity_link_side",
                "message_map", "reaction", "processed_txn", "outbox", "outbox_done", "admin_user", "audit_log",
                "message_archive",
                "flyway_schema_history")) {
            assertTrue(tables.contains(expected), () -> expected + " missing from " + tables);
        }
        assertEquals(0, SchemaMigrations.migrate(pool));
        assertEquals(0, SchemaMigrations.migrate(pool));
        try (Connection c = pool.getConnection();
             ResultSet r = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\" AND \"type\" = 'SQL'")) {
            r.next();
            assertEquals(SchemaMigrations.MIGRATIONS.size(), r.getInt(1));
        }
    }

    @Test
    void everyMigrationFileIsListedInOrder() throws IOException, URISyntaxException {
        URL dir = getClass().getClassLoader().getResource(SchemaMigrations.LOCATION);
        assertTrue(dir != null && "file".equals(dir.getProtocol()), "migrations directory on the test classpath");
        List<String> files;
        try (Stream<Path> list = Files.list(Path.of(dir.toURI()))) {
            files = new ArrayList<>(list.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(files, SchemaMigrations.MIGRATIONS.stream().sorted().toList(),
                "SchemaMigrations.MIGRATIONS must name every file of db/migration");
        List<Integer> versions = SchemaMigrations.MIGRATIONS.stream()
                .map(f -> Integer.parseInt(f.substring(1, f.indexOf("__")))).toList();
        assertEquals(versions.stream().sorted().toList(), versions, "listed in version order");
    }

    private List<String> tables() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = pool.getConnection();
             ResultSet r = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (r.next()) {
                names.add(r.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}
