package org.bridgeappliance.deploy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.sql.DataSource;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.mapping.AdminUserStore;
import org.bridgeappliance.mapping.AuditLog;
import org.bridgeappliance.mapping.H2DataSources;
import org.bridgeappliance.mapping.MappingDatabase;
import org.bridgeappliance.mapping.PasswordHasher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's persistence: an H2 file database in {@code bridge.data-dir} on a HikariCP pool,
 * migrated and wrapped by the mapping module's {@link MappingDatabase}, whose stores are beans.
 *
 * <p>Why a hand-built pool rather than micronaut-jdbc-hikari's {@code datasources.default}: the URL
 * is derived from the data directory (with the settings {@link H2DataSources#fileUrl} documents),
 * the directory must exist (owner-only) before H2 opens it, and there is exactly one database;
 * configuration would only repeat the URL and allow it to drift from the data directory.
 *
 * <p>Close order at shutdown: Micronaut destroys beans in reverse order of creation, so everything
 * that uses the stores (the router, see {@link RouterLifecycle}) is stopped before the pool closes.
 * There must be exactly one {@link MappingDatabase} per database: its room directory caches reads.
 */
@Factory
public class PersistenceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PersistenceFactory.class);

    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource dataSource(@Value("${bridge.data-dir:./data}") String dataDir) {
        Path dir = prepareDataDirectory(dataDir);
        HikariConfig config = new HikariConfig();
        config.setPoolName("bridge-db");
        config.setJdbcUrl(H2DataSources.fileUrl(dir));
        config.setUsername("sa");
        config.setPassword("");
        // Embedded database: connections are cheap and in-process; a few cover the router's pipelines,
        // the adapters and the admin API.
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        LOG.info("Database: H2 file {}", dir.resolve(H2DataSources.DATABASE_NAME + ".mv.db"));
        // Fails here (start-up stops with H2's message) if another process holds the database's file lock.
        return new HikariDataSource(config);
    }

    @Singleton
    @Bean(preDestroy = "close")
    MappingDatabase mappingDatabase(DataSource dataSource, AdminConfig adminConfig) {
        return MappingDatabase.open(dataSource, new PasswordHasher(adminConfig.getPasswordIterations()));
    }

    @Singleton
    BridgeStores stores(MappingDatabase database) {
        return database.stores();
    }

    @Singleton
    AdminUserStore adminUsers(MappingDatabase database) {
        return database.adminUsers();
    }

    @Singleton
    AuditLog auditLog(MappingDatabase database) {
        return database.auditLog();
    }

    /** Creates the data directory if missing, readable by the owner only (it holds the database and the setup token). */
    static Path prepareDataDirectory(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new ConfigurationException("bridge.data-dir must name a directory");
        }
        Path dir = Path.of(configured).toAbsolutePath().normalize();
        try {
            if (!Files.isDirectory(dir)) {
                if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
                LOG.info("Created data directory {}", dir);
            }
        } catch (IOException e) {
            throw new ConfigurationException("cannot create bridge.data-dir " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigurationException("bridge.data-dir " + dir + " is not writable");
        }
        return dir;
    }
}
