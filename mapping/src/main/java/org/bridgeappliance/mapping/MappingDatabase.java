package org.bridgeappliance.mapping;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.bridgeappliance.core.store.BridgeStores;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistence of the appliance, opened on a {@link DataSource}: runs the Flyway migrations
 * and hands out the JDBC stores. H2 in file mode is the embedded default; the SQL is kept portable
 * to PostgreSQL.
 *
 * <p>On an embedded H2 file database it also keeps the file's size bounded while it is open
 * ({@link H2Housekeeping}: one daemon thread, stopped by {@link #close()}). The stores' calls can be grouped
 * into one transaction through {@code stores().unitOfWork()} ({@link JdbcUnitOfWork}).
 *
 * <p>Open one instance per database and share it: the room directory caches reads and only sees
 * writes made through its own instance. All stores are thread-safe; every call blocks on the
 * database (callers keep them off event-loop threads). Close it last at shutdown, after everything
 * that writes to it has stopped.
 */
public final class MappingDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MappingDatabase.class);

    private final BridgeStores stores;
    private final AdminUserStore adminUsers;
    private final AuditLog auditLog;
    private final JdbcProcessedTransactionStore transactions;
    private final MessageRetention retention;
    private final Runnable release;
    private final Optional<H2Housekeeping> h2Housekeeping;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappingDatabase(DataSource dataSource, PasswordHasher hasher, Runnable release,
                            Optional<H2Housekeeping> h2Housekeeping) {
        Clock clock = Clock.systemUTC();
        Jdbc jdbc = new Jdbc(dataSource);
        this.transactions = new JdbcProcessedTransactionStore(jdbc, clock);
        EventCodec codec = new EventCodec();
        this.stores = new BridgeStores(
                new JdbcRoomDirectory(jdbc, clock),
                new JdbcMessageMapStore(jdbc),
                new JdbcReactionStore(jdbc),
                new JdbcOutboxStore(jdbc, codec, clock),
                new JdbcPuppetStore(jdbc),
                new JdbcIdentityLinkStore(jdbc, clock),
                transactions,
                new JdbcMessageArchive(jdbc),
                new JdbcMessageAliasStore(jdbc),
                new JdbcLateOutcomeStore(jdbc, codec),
                new JdbcUnitOfWork(jdbc));
        this.retention = new MessageRetention(jdbc, stores.archive());
        this.adminUsers = new JdbcAdminUserStore(jdbc, hasher, clock);
        this.auditLog = new JdbcAuditLog(jdbc, clock);
        this.release = release;
        this.h2Housekeeping = h2Housekeeping;
    }

    /** Migrates the schema to the newest version, then returns the opened database. */
    public static MappingDatabase open(DataSource dataSource) {
        return open(dataSource, new PasswordHasher());
    }

    /**
     * As {@link #open(DataSource)}, with the password hasher the admin store uses (tests lower its
     * work factor; production keeps {@link PasswordHasher#DEFAULT_ITERATIONS}).
     *
     * @throws org.bridgeappliance.core.store.StoreException if the migration fails
     */
    public static MappingDatabase open(DataSource dataSource, PasswordHasher hasher) {
        return open(dataSource, hasher, () -> { });
    }

    /**
     * Opens (creating if needed) the embedded H2 database in {@code dataDirectory}, on a small
     * connection pool that this instance owns and {@link #close()} releases. For tests and tools;
     * the appliance usually passes its configured pool to {@link #open(DataSource)}.
     */
    public static MappingDatabase openH2File(Path dataDirectory) {
        return openH2File(dataDirectory, new PasswordHasher());
    }

    /** As {@link #openH2File(Path)}, with the password hasher the admin store uses. */
    public static MappingDatabase openH2File(Path dataDirectory, PasswordHasher hasher) {
        return openH2File(dataDirectory, hasher, H2Housekeeping.DEFAULT_PERIOD, H2Housekeeping.DEFAULT_RETENTION);
    }

    /** As {@link #openH2File(Path, PasswordHasher)}, with the H2 housekeeping's period and retention time (tests). */
    static MappingDatabase openH2File(Path dataDirectory, PasswordHasher hasher, Duration housekeepingPeriod,
                                      Duration retention) {
        JdbcConnectionPool pool = H2DataSources.file(dataDirectory);
        // Closing the pool's last connection closes the file database (DB_CLOSE_DELAY is 0).
        try {
            return open(pool, hasher, pool::dispose, housekeepingPeriod, retention);
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
    }

    /**
     * A private in-memory H2 database named {@code name} ({@code [A-Za-z0-9_-]{1,64}}), dropped by
     * {@link #close()}. For tests of modules that build on this one; a name that is still open in
     * this JVM shares that database, so use a fresh name per test.
     */
    public static MappingDatabase openH2InMemory(String name, PasswordHasher hasher) {
        JdbcConnectionPool pool = H2DataSources.inMemory(name);
        return openOwning(pool, hasher, () -> {
            shutdownH2(pool);
            pool.dispose();
        });
    }

    /**
     * Loads H2's engine classes by using a throw-away in-memory database (a table written and read, and
     * the quick schema check of {@link #open}); for a start-up thread running while the application's
     * context is built, so that the real database opens with those classes loaded. Flyway's classes are
     * not loaded: {@link #open} needs them only when a migration is pending. Touches no files.
     *
     * @throws RuntimeException if H2 fails; nothing but the head start is lost then
     */
    public static void warmUpH2() {
        JdbcConnectionPool pool = H2DataSources.inMemory("warm-up");
        try {
            SchemaMigrations.isCurrent(pool, MappingDatabase.class.getClassLoader());
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE warm_up(id BIGINT PRIMARY KEY, body VARCHAR(64))");
                s.execute("INSERT INTO warm_up VALUES (1, 'warm')");
                try (ResultSet r = s.executeQuery("SELECT body FROM warm_up WHERE id = 1")) {
                    r.next();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("H2 warm-up failed: " + e.getMessage(), e);
            }
        } finally {
            shutdownH2(pool);
            pool.dispose();
        }
    }

    private static MappingDatabase openOwning(JdbcConnectionPool pool, PasswordHasher hasher, Runnable release) {
        try {
            return open(pool, hasher, release);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /** As {@link #open(DataSource, PasswordHasher)}; {@code release} runs once on {@link #close()}. */
    static MappingDatabase open(DataSource dataSource, PasswordHasher hasher, Runnable release) {
        return open(dataSource, hasher, release, H2Housekeeping.DEFAULT_PERIOD, H2Housekeeping.DEFAULT_RETENTION);
    }

    private static MappingDatabase open(DataSource dataSource, PasswordHasher hasher, Runnable release,
                                        Duration housekeepingPeriod, Duration retention) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(hasher, "hasher");
        int applied = SchemaMigrations.migrate(dataSource);
        if (applied > 0) {
            LOG.info("Database schema migrated ({} migration(s) applied)", applied);
        }
        makeH2CommitsDurable(dataSource);
        return new MappingDatabase(dataSource, hasher, release,
                H2Housekeeping.startIfEmbeddedH2File(dataSource, housekeepingPeriod, retention));
    }

    /**
     * On an H2 file database, {@code SET WRITE_DELAY 0}: H2 otherwise flushes commits up to half a
     * second late, and a killed process loses every commit of that window (OutboxCrashTest lost
     * all 20 appends so). The setting is made here, whatever the URL the data source was built
     * from says, because the outbox's durability must not depend on a configuration detail.
     */
    private static void makeH2CommitsDurable(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName();
            String url = c.getMetaData().getURL();
            if (!"H2".equals(product) || url == null || url.startsWith("jdbc:h2:mem:")) {
                return;
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET WRITE_DELAY 0");
            }
        } catch (SQLException e) {
            // Needs admin rights on the database; without them commits stay as durable as the URL made them.
            LOG.warn("Could not set H2 WRITE_DELAY 0 (SQLState {}): recent commits may be lost if the process is killed",
                    e.getSQLState());
        }
    }

    /** The core's persistence ports, backed by this database. */
    public BridgeStores stores() {
        return stores;
    }

    public AdminUserStore adminUsers() {
        return adminUsers;
    }

    public AuditLog auditLog() {
        return auditLog;
    }

    /**
     * Forgets processed transaction ids recorded before {@code cutoff} (homeservers retry a
     * transaction for hours at most; a day or more is a safe cutoff). For a periodic housekeeping
     * job. Returns the number removed.
     */
    public int forgetProcessedTransactions(Instant cutoff) {
        return transactions.forgetOlderThan(cutoff);
    }

    /**
     * Forgets messages sent before {@code cutoff}: their id-map rows on every network, reactions, aliases and
     * archive entries (see {@link MessageRetention}). For the retention job; blocking, in batches.
     */
    public MessageRetention.Forgotten forgetMessagesOlderThan(Instant cutoff) {
        return retention.forgetOlderThan(cutoff);
    }

    /**
     * Stops the H2 housekeeping thread (if {@link #open} started one: an embedded H2 file database, see
     * {@link H2Housekeeping}), then releases what this instance owns: the connection pool of
     * {@link #openH2File} and {@link #openH2InMemory}, which closes the H2 database. A data source passed to
     * {@link #open(DataSource)} stays open (its owner closes it). Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            h2Housekeeping.ifPresent(H2Housekeeping::close);
            release.run();
        }
    }

    private static void shutdownH2(JdbcConnectionPool pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            LOG.warn("H2 shutdown failed (SQLState {})", e.getSQLState());
        }
    }
}
