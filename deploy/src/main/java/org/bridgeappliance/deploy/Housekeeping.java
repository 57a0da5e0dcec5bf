package org.bridgeappliance.deploy;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import org.bridgeappliance.mapping.MappingDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up of the database: processed Matrix transaction ids older than two days are
 * forgotten (homeservers retry a transaction for hours at most, so older ids can never repeat).
 */
@Singleton
public class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    static final Duration KEEP_TRANSACTIONS = Duration.ofDays(2);

    private final MappingDatabase database;

    public Housekeeping(MappingDatabase database) {
        this.database = database;
    }

    @Scheduled(initialDelay = "10m", fixedDelay = "6h")
    void forgetOldTransactions() {
        try {
            int removed = database.forgetProcessedTransactions(Instant.now().minus(KEEP_TRANSACTIONS));
            if (removed > 0) {
                LOG.info("Forgot {} processed transaction id(s) older than {}", removed, KEEP_TRANSACTIONS);
            }
        } catch (RuntimeException e) {
            LOG.warn("Housekeeping failed: {}", e.toString());
        }
    }
}
