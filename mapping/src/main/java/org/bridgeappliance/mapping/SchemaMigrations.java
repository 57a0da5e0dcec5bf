package org.bridgeappliance.mapping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.ClassProvider;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.resource.LoadableResource;
import org.bridgeappliance.core.store.StoreException;

/**
 * Runs the Flyway migrations of {@code db/migration}.
 *
 * <p>Flyway normally finds migrations by listing the classpath directory, which depends on the
 * jar's directory entries and on the class loader (a shaded fat jar, a nested jar, a native image
 * can each break it silently: "no migrations found" and an empty schema). The migrations are
 * therefore named in {@link #MIGRATIONS} and opened by exact resource name, which works wherever
 * {@link ClassLoader#getResource} does. A unit test checks that the list matches the directory.
 *
 * <p>A shaded jar must still merge {@code META-INF/services/*} (maven-shade-plugin's
 * {@code ServicesResourceTransformer}): Flyway finds its H2 and PostgreSQL support through them.
 * PostgreSQL additionally needs {@code org.flywaydb:flyway-database-postgresql} on the classpath
 * (Flyway 10 moved it out of flyway-core; H2 support is still in flyway-core).
 *
 * <p>Start-up: Flyway's set-up (≈ 300 classes, its schema-history scan and validation) was ≈ 17 % of
 * the start-up's main thread even when nothing was pending. {@link #migrate} therefore first reads the
 * schema history with one plain query ({@link #isCurrent}) and calls Flyway only if that history is not
 * exactly the listed migrations, all successful, with Flyway's own checksums of the files in this jar:
 * an edited, missing, failed or unknown migration still goes to Flyway, which validates and reports it.
 */
final class SchemaMigrations {
    static final String LOCATION = "db/migration";

    /** Every migration, in order. Add new files here as well as to the directory. */
    static final List<String> MIGRATIONS = List.of(
            "V1__initial_schema.sql",
            "V2__message_archive.sql",
            "V3__message_alias.sql",
            "V4__reaction_remote_id_index.sql",
            "V5__message_map_sent_at.sql",
            "V6__late_outcome.sql",
            "V8__sip_adapter.sql",
            "V9__sip_offline_outcome_key.sql",
            "V12__message_map_one_index_less.sql",
            "V13__sip_room_alias.sql",
            "V14__sip_person_alias_and_reactions.sql");

    private SchemaMigrations() {
    }

    /**
     * Migrates the schema to the newest version; a no-op when it is already there.
     *
     * @return the number of migrations applied
     * @throws StoreException if a migration fails or the database holds a schema this release does
     *                        not know (validation of the applied checksums)
     */
    static int migrate(DataSource dataSource) {
        return migrate(dataSource, "latest");
    }

    /** Migrates up to {@code target} (a version such as {@code "8"}, or {@code "latest"}); tests of a migration. */
    static int migrate(DataSource dataSource, String target) {
        ClassLoader loader = SchemaMigrations.class.getClassLoader();
        if (isCurrent(dataSource, loader)) {
            return 0;
        }
        ClassProvider<JavaMigration> noJavaMigrations = List::of;
        try {
            MigrateResult result = Flyway.configure(loader)
                    .dataSource(dataSource)
                    .target(target)
                    .locations("classpath:" + LOCATION)
                    .resourceProvider(new ListedResources(loader))
                    .javaMigrationClassProvider(noJavaMigrations)
                    .cleanDisabled(true)
                    .validateMigrationNaming(true)
                    .load()
                    .migrate();
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new StoreException("database schema migration failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the schema history holds exactly {@link #MIGRATIONS}, each applied successfully with the
     * checksum Flyway computes for the file on the classpath, and nothing else (but Flyway's own marker
     * row for the creation of the history table). False (so Flyway runs)
     * when the history table is missing or unreadable, or anything differs.
     */
    static boolean isCurrent(DataSource dataSource, ClassLoader loader) {
        Map<String, Integer> applied = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT \"script\", \"checksum\", \"success\", \"type\""
                     + " FROM \"flyway_schema_history\"")) {
            while (r.next()) {
                if ("TABLE".equals(r.getString(4)) && r.getBoolean(3)) {
                    continue; // Flyway 10's marker row: "the history table was created here"
                }
                int checksum = r.getInt(2);
                boolean noChecksum = r.wasNull();
                if (!r.getBoolean(3) || !"SQL".equals(r.getString(4)) || noChecksum
                        || applied.put(r.getString(1), checksum) != null) {
                    return false;
                }
            }
        } catch (SQLException e) {
            return false; // no history yet (an empty database), or not one this check understands: Flyway decides
        }
        if (applied.size() != MIGRATIONS.size()) {
            return false;
        }
        for (String fileName : MIGRATIONS) {
            Integer checksum = applied.get(fileName);
            if (checksum == null || checksum != checksum(new Migration(loader, fileName))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Flyway's checksum of a migration (its {@code ChecksumCalculator}): CRC-32 over the UTF-8 bytes of
     * every line without its line terminator, a byte-order mark removed from the start of a line.
     */
    static int checksum(LoadableResource migration) {
        CRC32 crc = new CRC32();
        try (BufferedReader lines = new BufferedReader(migration.read(), 4096)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String text = !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
                crc.update(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }

    /** Flyway's view of {@link #MIGRATIONS}. */
    private static final class ListedResources implements ResourceProvider {
        private final ClassLoader loader;

        ListedResources(ClassLoader loader) {
            this.loader = loader;
        }

        @Override
        public LoadableResource getResource(String name) {
            String fileName = name.startsWith(LOCATION + "/") ? name.substring(LOCATION.length() + 1) : name;
            return MIGRATIONS.contains(fileName) ? new Migration(loader, fileName) : null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            List<LoadableResource> found = new ArrayList<>();
            for (String fileName : MIGRATIONS) {
                if (fileName.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(fileName::endsWith)) {
                    found.add(new Migration(loader, fileName));
                }
            }
            return found;
        }
    }

    private static final class Migration extends LoadableResource {
        private final ClassLoader loader;
        private final String fileName;

        Migration(ClassLoader loader, String fileName) {
            this.loader = loader;
            this.fileName = fileName;
        }

        @Override
        public Reader read() {
            InputStream in = loader.getResourceAsStream(getAbsolutePath());
            if (in == null) {
                throw new UncheckedIOException(new IOException("migration missing from the classpath: "
                        + getAbsolutePath()));
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return LOCATION + "/" + fileName;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return fileName;
        }

        @Override
        public String getRelativePath() {
            return fileName;
        }
    }
}
