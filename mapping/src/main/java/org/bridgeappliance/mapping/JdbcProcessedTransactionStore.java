package org.bridgeappliance.mapping;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import org.bridgeappliance.core.store.ProcessedTransactionStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** Processed pushed-transaction ids in {@code processed_txn}, keyed by (scope, transaction id). */
final class JdbcProcessedTransactionStore implements ProcessedTransactionStore {
    static final int MAX_SCOPE_LENGTH = 64;
    static final int MAX_TRANSACTION_ID_LENGTH = 1024;

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcProcessedTransactionStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean isProcessed(String scope, String transactionId) {
        check(scope, transactionId);
        return jdbc.queryOne("check transaction", "SELECT 1 FROM processed_txn WHERE scope = ? AND txn_id = ?", s -> {
            s.setString(1, scope);
            s.setString(2, transactionId);
        }, r -> Boolean.TRUE).isPresent();
    }

    @Override
    public void markProcessed(String scope, String transactionId) {
        check(scope, transactionId);
        if (isProcessed(scope, transactionId)) {
            return;
        }
        try {
            // A plain INSERT (no INSERT ... SELECT ... WHERE NOT EXISTS, whose untyped parameters
            // PostgreSQL may refuse); a concurrent duplicate hits the primary key and is fine.
            // In a transaction of its own, which inside a unit of work is a savepoint: a duplicate key then undoes
            // only this insert (PostgreSQL would otherwise refuse every later statement of the unit).
            jdbc.inTransaction("mark transaction processed", c -> Jdbc.update(c,
                    "INSERT INTO processed_txn (scope, txn_id, processed_at) VALUES (?, ?, ?)", s -> {
                        s.setString(1, scope);
                        s.setString(2, transactionId);
                        Jdbc.setInstant(s, 3, clock.instant());
                    }));
        } catch (StoreConflictException alreadyThere) {
            // Idempotent by contract: someone else recorded it first.
        }
    }

    /**
     * Forgets transactions processed before {@code cutoff}; a homeserver retries a transaction for
     * minutes to hours, not weeks, so old ids only take space. Returns how many were removed.
     */
    int forgetOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return jdbc.update("forget old transactions", "DELETE FROM processed_txn WHERE processed_at < ?",
                s -> Jdbc.setInstant(s, 1, cutoff));
    }

    private static void check(String scope, String transactionId) {
        Jdbc.limit(scope, MAX_SCOPE_LENGTH, "transaction scope");
        Jdbc.limit(transactionId, MAX_TRANSACTION_ID_LENGTH, "transaction id");
    }
}
