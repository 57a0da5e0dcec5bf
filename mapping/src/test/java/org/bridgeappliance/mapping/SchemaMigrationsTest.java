package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.bridgeappliance.core.store.StoreException;
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
    void theQuickCheckSeesACurrentSchemaWithFlywaysOwnChecksums() throws SQLException {
        ClassLoader loader = getClass().getClassLoader();
        assertFalse(SchemaMigrations.isCurrent(pool, loader), "an empty database has no history");
        SchemaMigrations.migrate(pool);
        assertTrue(SchemaMigrations.isCurrent(pool, loader));
        try (Connection c = pool.getConnection();
             ResultSet r = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'")) {
            r.next();
            assertEquals(SchemaMigrations.MIGRATIONS.size(), r.getInt(1));
        }
    }

    @Test
    void anEditedMigrationStillReachesFlywaysValidation() throws SQLException {
        SchemaMigrations.migrate(pool);
        execute("UPDATE \"flyway_schema_history\" SET \"checksum\" = \"checksum\" + 1 WHERE \"version\" = '3'");
        assertFalse(SchemaMigrations.isCurrent(pool, getClass().getClassLoader()));
        StoreException e = assertThrows(StoreException.class, () -> SchemaMigrations.migrate(pool));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("checksum"), e::getMessage);
    }

    @Test
    void aFailedOrMissingMigrationIsNotCurrent() throws SQLException {
        SchemaMigrations.migrate(pool);
        ClassLoader loader = getClass().getClassLoader();
        execute("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '2'");
        assertFalse(SchemaMigrations.isCurrent(pool, loader), "a failed migration");
        execute("UPDATE \"flyway_schema_history\" SET \"success\" = TRUE WHERE \"version\" = '2'");
        assertTrue(SchemaMigrations.isCurrent(pool, loader));
        String newest = SchemaMigrations.MIGRATIONS.get(SchemaMigrations.MIGRATIONS.size() - 1);
        execute("DELETE FROM \"flyway_schema_history\" WHERE \"script\" = '" + newest + "'");
        assertFalse(SchemaMigrations.isCurrent(pool, loader), "a pending migration");
    }

    @Test
    void messageMapLookupsUseTheReorderedUniqueKey() throws SQLException {
        SchemaMigrations.migrate(pool);
        for (String where : List.of("network = 'm' AND remote_room = 'r' AND remote_id = 'x'",
                "network = 'm' AND remote_room = 'r' AND author_network = 'x' AND author_id = 'a' AND remote_id = 'x'")) {
            try (Connection c = pool.getConnection();
                 ResultSet r = c.createStatement().executeQuery("EXPLAIN SELECT message_id FROM message_map WHERE " + where)) {
                r.next();
                String plan = r.getString(1).toUpperCase(Locale.ROOT);
                assertTrue(plan.contains("UQ_MESSAGE_MAP"), () -> where + " does not use the unique key: " + plan);
            }
        }
        try (Connection c = pool.getConnection();
             ResultSet r = c.getMetaData().getIndexInfo(null, "PUBLIC", "MESSAGE_MAP", false, false)) {
            List<String> indexes = new ArrayList<>();
            while (r.next()) {
                indexes.add(r.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
            }
            assertFalse(indexes.contains("ix_message_map_remote"), indexes::toString);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.createStatement().execute(sql);
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
