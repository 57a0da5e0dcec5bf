package org.bridgeappliance.core.store;

/**
 * Transaction ids a network pushed and the bridge has fully processed (Matrix AS transactions),
 * so a retried push is acknowledged without being processed twice.
 */
public interface ProcessedTransactionStore {
    boolean isProcessed(String scope, String transactionId);

    /** Durably records the transaction as processed; idempotent. */
    void markProcessed(String scope, String transactionId);
}
