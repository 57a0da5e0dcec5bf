package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.bridgeappliance.core.store.ProcessedTransactionStore;
import org.junit.jupiter.api.Test;

class ProcessedTransactionStoreTest {

    @Test
    void markingIsIdempotentAndScoped() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            ProcessedTransactionStore txns = db.stores().transactions();
            assertFalse(txns.isProcessed("matrix", "txn-1"));

            txns.markProcessed("matrix", "txn-1");
            txns.markProcessed("matrix", "txn-1");

            assertTrue(txns.isProcessed("matrix", "txn-1"));
            assertFalse(txns.isProcessed("other-scope", "txn-1"));
            assertFalse(txns.isProcessed("matrix", "txn-2"));
        }
    }

    @Test
    void oldIdsCanBeForgotten() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            ProcessedTransactionStore txns = db.stores().transactions();
            txns.markProcessed("matrix", "old");
            assertEquals(0, db.forgetProcessedTransactions(Instant.now().minusSeconds(3600)));
            assertEquals(1, db.forgetProcessedTransactions(Instant.now().plusSeconds(1)));
            assertFalse(txns.isProcessed("matrix", "old"));
        }
    }

    @Test
    void overlongIdsAreRefused() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            ProcessedTransactionStore txns = db.stores().transactions();
            assertThrows(IllegalArgumentException.class, () -> txns.markProcessed("matrix", "t".repeat(1025)));
            assertThrows(IllegalArgumentException.class, () -> txns.isProcessed("s".repeat(65), "t"));
        }
    }
}
