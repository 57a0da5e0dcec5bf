package org.bridgeappliance.core.store.memory;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.store.ProcessedTransactionStore;

/** In-memory {@link ProcessedTransactionStore}. */
public final class InMemoryProcessedTransactionStore implements ProcessedTransactionStore {
    private record Key(String scope, String transactionId) {
    }

    private final Set<Key> processed = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isProcessed(String scope, String transactionId) {
        return processed.contains(new Key(Objects.requireNonNull(scope, "scope"),
                Objects.requireNonNull(transactionId, "transactionId")));
    }

    @Override
    public void markProcessed(String scope, String transactionId) {
        processed.add(new Key(Objects.requireNonNull(scope, "scope"),
                Objects.requireNonNull(transactionId, "transactionId")));
    }
}
