package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.bridgeappliance.core.store.StoreConflictException;
import org.bridgeappliance.core.store.StoreException;

/**
 * The small JDBC toolkit the stores share: connections from the {@link DataSource}, transactions,
 * prepared statements only, and the translation of {@link SQLException}s into the core's store
 * exceptions (SQLState class 23, integrity constraint violation, is a conflict; anything else a
 * {@link StoreException}).
 *
 * <p>Thread-safe; every call takes its own connection from the data source (which is expected to
 * pool them) and blocks the calling thread for the duration of the database round trip, except inside
 * {@link #inOne}: there the calling thread's calls share one connection and one transaction, committed when
 * the outermost {@code inOne} returns (the stores' unit of work, {@link JdbcUnitOfWork}). A store's own
 * {@link #inTransaction} then becomes a savepoint of that transaction, as does {@link #attempt}, so that a
 * failed part (a conflict the store handles, a best-effort write) undoes only itself: PostgreSQL refuses every
 * further statement of a transaction in which one failed, unless it is rolled back to a savepoint first.
 */
final class Jdbc {
    /** Parameter binder of a prepared statement. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Work done on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    /** The connection of the calling thread's unit of work ({@link #inOne}), if one is open. */
    private final ThreadLocal<Connection> bound = new ThreadLocal<>();

    Jdbc(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Runs {@code work} on a connection in auto-commit mode (on the unit of work's connection inside one). */
    <T> T withConnection(String what, Work<T> work) {
        Connection joined = bound.get();
        if (joined != null) {
            try {
                return work.run(joined);
            } catch (SQLException e) {
                throw translate(what, e);
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws
     * (whatever it throws, which is then rethrown, translated if it is an {@link SQLException}). Inside a
     * unit of work ({@link #inOne}) a savepoint of its transaction instead: rolled back to when it throws.
     */
    <T> T inTransaction(String what, Work<T> work) {
        Connection joined = bound.get();
        if (joined != null) {
            return inSavepoint(what, joined, work);
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                restoreAutoCommit(connection, autoCommit);
            }
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs {@code work} so that the store calls it makes on this thread share one connection and commit
     * together when it returns (rolled back, and rethrown, when it throws; a failed commit is a
     * {@link StoreException}). Inside another unit of work it is a savepoint of that one.
     */
    <T> T inOne(java.util.function.Supplier<T> work) {
        if (bound.get() != null) {
            return attempt(work);
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            bound.set(connection);
            try {
                T result = work.get();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                bound.remove();
                restoreAutoCommit(connection, autoCommit);
            }
        } catch (SQLException e) {
            throw translate("commit unit of work", e);
        }
    }

    /**
     * A part of the calling thread's unit of work that may fail alone: a savepoint, rolled back to (and the
     * failure rethrown) when {@code work} throws. Outside a unit of work, just runs {@code work}.
     */
    <T> T attempt(java.util.function.Supplier<T> work) {
        Connection joined = bound.get();
        if (joined == null) {
            return work.get();
        }
        return inSavepoint("unit of work part", joined, c -> work.get());
    }

    private static <T> T inSavepoint(String what, Connection connection, Work<T> work) {
        Savepoint savepoint;
        try {
            savepoint = connection.setSavepoint();
        } catch (SQLException e) {
            throw translate(what + " (savepoint)", e);
        }
        try {
            T result = work.run(connection);
            connection.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException e) {
            rollbackQuietly(connection, savepoint, e);
            throw translate(what, e);
        } catch (RuntimeException | Error e) {
            rollbackQuietly(connection, savepoint, e);
            throw e;
        }
    }

    private static void rollbackQuietly(Connection connection, Savepoint savepoint, Throwable cause) {
        try {
            connection.rollback(savepoint);
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /** Executes an update on a connection of its own; returns the update count. */
    int update(String what, String sql, Binder binder) {
        return withConnection(what, c -> update(c, sql, binder));
    }

    static int update(Connection connection, String sql, Binder binder) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return statement.executeUpdate();
        }
    }

    /** Executes an insert and returns the value of the generated key column {@code keyColumn}. */
    static long insertReturningKey(Connection connection, String sql, String keyColumn, Binder binder)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql, new String[] {keyColumn})) {
            binder.bind(statement);
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no generated key returned for " + keyColumn);
                }
                return keys.getLong(1);
            }
        }
    }

    <T> List<T> query(String what, String sql, Binder binder, RowMapper<T> mapper) {
        return withConnection(what, c -> query(c, sql, binder, mapper));
    }

    static <T> List<T> query(Connection connection, String sql, Binder binder, RowMapper<T> mapper)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                List<T> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(mapper.map(rows));
                }
                return result;
            }
        }
    }

    <T> Optional<T> queryOne(String what, String sql, Binder binder, RowMapper<T> mapper) {
        return query(what, sql, binder, mapper).stream().findFirst();
    }

    /** True for SQLState class 23: integrity constraint violation (unique, foreign key, not null). */
    static boolean isConstraintViolation(SQLException e) {
        for (SQLException cur = e; cur != null; cur = cur.getNextException()) {
            String state = cur.getSQLState();
            if (state != null && state.startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    static RuntimeException translate(String what, SQLException e) {
        if (isConstraintViolation(e)) {
            return new StoreConflictException(what + ": conflicts with stored data (SQLState "
                    + e.getSQLState() + ")", e);
        }
        return new StoreException(what + " failed (SQLState " + e.getSQLState() + ")", e);
    }

    // --- instants: TIMESTAMP WITH TIME ZONE holds microseconds on both H2 and PostgreSQL ---

    /** The instant as the database will store it, so values handed back equal values read later. */
    static Instant dbPrecision(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, OffsetDateTime.ofInstant(dbPrecision(instant), ZoneOffset.UTC));
    }

    static Instant getInstant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    // --- input limits: checked before the database sees a value, for a clear error ---

    static String limit(String value, int maxLength, String what) {
        Objects.requireNonNull(value, what);
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(what + " longer than " + maxLength + " characters");
        }
        return value;
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // The connection goes back to the pool, which resets or discards it.
        }
    }
}
