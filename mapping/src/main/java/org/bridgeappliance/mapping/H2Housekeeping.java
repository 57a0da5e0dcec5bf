package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.db.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What H2's own background thread would do for an embedded file database, had {@code WRITE_DELAY=0}
 * not stopped it: keep the {@code .mv.db} file from growing with the commit rate.
 *
 * <p>Why it is needed: with {@code WRITE_DELAY=0} every commit writes a new chunk to the file before it
 * returns (the outbox's "durable before acknowledged"), and {@code FileStore.setAutoCommitDelay(0)} stops
 * H2's background writer, the only thing that rewrites sparse chunks while the database is open. Each
 * chunk keeps a few live pages, so no chunk ever becomes free: the file grew by ≈ 24 KB per single-row
 * commit (730 MB after 30,000) and the layout map, one entry per chunk, made every commit dearer.
 *
 * <p>What it does, every {@link #DEFAULT_PERIOD}, on one daemon thread:
 * <ol>
 *   <li>{@code MVStore.sync()}: forces what the commits wrote to the disk (fsync). Commits themselves stay
 *       unsynced as before (a killed process loses nothing, a power cut may lose the last commits); the
 *       periodic sync is what makes the short retention below safe: a chunk is only overwritten
 *       {@link #DEFAULT_RETENTION} after it went out of use, and by then a sync has put its successors on
 *       the disk (H2 keeps old chunks 45 s by default because it assumes the OS flushes within that time;
 *       Linux's default dirty-page expiry is 30 s).</li>
 *   <li>{@code MVStore.compact(50, 4 MB)}: when less than half of the chunks' space is live, the live
 *       pages of the sparsest chunks older than the retention time (at most 4 MB of them) are rewritten
 *       by the next commit, which leaves the old chunks empty; H2 frees empty chunks at its next commits
 *       once the retention time has passed, and new chunks reuse the space. H2's own {@code Store.flush}
 *       uses the same call. Nothing is rewritten while the store is busy (H2 only tries its lock).</li>
 * </ol>
 * and {@code SET RETENTION_TIME} to {@link #DEFAULT_RETENTION} at the start (not persisted: set at every
 * open). The file still does not shrink after a burst (freed space is reused; H2 compacts fully only at
 * {@code SHUTDOWN COMPACT}).
 */
final class H2Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);
    static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETENTION = Duration.ofSeconds(5);
    /** Below this share of live data in the chunks (percent), sparse chunks are rewritten. */
    private static final int TARGET_FILL_RATE = 50;
    private static final int REWRITE_LIMIT_BYTES = 4 * 1024 * 1024;

    private final MVStore store;
    private final ScheduledExecutorService executor;
    private final long periodMillis;

    private H2Housekeeping(MVStore store, Duration period) {
        this.store = store;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "h2-housekeeping");
            t.setDaemon(true);
            return t;
        });
        this.periodMillis = period.toMillis();
        executor.scheduleWithFixedDelay(this::runOnce, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the housekeeping if {@code dataSource} is an embedded H2 file database (not in-memory, not
     * a server connection, not another database); empty otherwise.
     */
    static Optional<H2Housekeeping> startIfEmbeddedH2File(DataSource dataSource) {
        return startIfEmbeddedH2File(dataSource, DEFAULT_PERIOD, DEFAULT_RETENTION);
    }

    /** As {@link #startIfEmbeddedH2File(DataSource)} with a given period and retention time (tests). */
    static Optional<H2Housekeeping> startIfEmbeddedH2File(DataSource dataSource, Duration period, Duration retention) {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(retention, "retention");
        try (Connection c = dataSource.getConnection()) {
            Optional<MVStore> store = embeddedFileStore(c);
            if (store.isEmpty()) {
                return Optional.empty();
            }
            try (var s = c.createStatement()) {
                s.execute("SET RETENTION_TIME " + retention.toMillis());
            }
            return Optional.of(new H2Housekeeping(store.get(), period));
        } catch (SQLException | RuntimeException e) {
            // Needs admin rights and H2's engine classes; without them the file grows as before, nothing else changes.
            LOG.warn("H2 housekeeping not started ({}): the database file will grow with the commit rate", e.toString());
            return Optional.empty();
        }
    }

    private static Optional<MVStore> embeddedFileStore(Connection c) throws SQLException {
        if (!"H2".equals(c.getMetaData().getDatabaseProductName()) || !c.isWrapperFor(JdbcConnection.class)) {
            return Optional.empty();
        }
        Session session = c.unwrap(JdbcConnection.class).getSession();
        if (!(session instanceof SessionLocal local) || !local.getDatabase().isPersistent()) {
            return Optional.empty();
        }
        Store store = local.getDatabase().getStore();
        MVStore mvStore = store == null ? null : store.getMvStore();
        return mvStore == null || mvStore.getFileStore() == null ? Optional.empty() : Optional.of(mvStore);
    }

    /** One round: sync, then compact if the chunks are sparse. Package-private for tests. */
    void runOnce() {
        try {
            if (store.isClosed()) {
                return;
            }
            store.sync();
            store.compact(TARGET_FILL_RATE, REWRITE_LIMIT_BYTES);
        } catch (RuntimeException e) {
            if (store.isClosed()) {
                return; // the database closed under us (shutdown): nothing to keep
            }
            LOG.warn("H2 housekeeping round failed (retried in {} ms): {}", periodMillis, e.toString());
        }
    }

    /** The database file's size in bytes as H2 sees it. */
    long fileSize() {
        return store.getFileStore().size();
    }

    /** Stops the thread (waits for a running round); idempotent. Call before the database closes. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("H2 housekeeping did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
