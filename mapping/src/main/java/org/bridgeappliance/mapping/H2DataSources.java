package org.bridgeappliance.mapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Embedded H2 data sources, for tests, tools and the appliance's default database. In the
 * appliance the deploy module normally supplies a pooled {@code DataSource} from its configuration;
 * the URL it uses for H2 should carry the same settings as {@link #fileUrl}.
 */
public final class H2DataSources {
    /** The database file's base name inside the data directory ({@code bridge.mv.db}). */
    public static final String DATABASE_NAME = "bridge";
    private static final int MAX_CONNECTIONS = 10;

    private H2DataSources() {
    }

    /**
     * The JDBC URL of the database in {@code dataDirectory}. The settings, and why:
     * <ul>
     *   <li>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from its own JVM
     *       shutdown hook, which may run before the application's shutdown has finished writing (a
     *       last outbox mark, an audit entry) and make those writes fail. The owner closes the
     *       database instead, last, with {@link MappingDatabase#close()}.</li>
     *   <li>{@code WRITE_DELAY=0}: every commit reaches the file before the commit returns (H2's
     *       default flushes up to half a second later). The outbox promises that an event is
     *       durable once appended, before the network is told it was received; a killed process
     *       must not lose it. No fsync: a power cut may still lose the last commits.</li>
     *   <li>{@code AUTO_SERVER=FALSE} (H2's default, stated): the appliance is the only process
     *       using the file, and H2's file lock refuses a second one instead of sharing it over TCP.</li>
     * </ul>
     */
    public static String fileUrl(Path dataDirectory) {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Path base = dataDirectory.toAbsolutePath().normalize().resolve(DATABASE_NAME);
        String path = base.toString();
        if (path.indexOf(';') >= 0) {
            // ';' separates URL settings: a directory containing one would inject settings.
            throw new IllegalArgumentException("data directory path must not contain ';': " + dataDirectory);
        }
        return "jdbc:h2:file:" + path + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;AUTO_SERVER=FALSE";
    }

    /**
     * A small connection pool on the H2 file database in {@code dataDirectory}, creating the
     * directory if needed. Dispose it ({@link JdbcConnectionPool#dispose()}) after closing the
     * database, or let {@link MappingDatabase#openH2File} own it.
     */
    public static JdbcConnectionPool file(Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDirectory, e);
        }
        return pool(fileUrl(dataDirectory));
    }

    /**
     * A private in-memory database that lives until its pool is disposed (tests). {@code name}
     * tells databases apart within one JVM.
     */
    public static JdbcConnectionPool inMemory(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("in-memory database name must match [A-Za-z0-9_-]{1,64}");
        }
        // DB_CLOSE_DELAY=-1: kept while the JVM runs even when no connection is open; SHUTDOWN in
        // MappingDatabase.close() drops it.
        return pool("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    }

    private static JdbcConnectionPool pool(String url) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(MAX_CONNECTIONS);
        return pool;
    }
}
