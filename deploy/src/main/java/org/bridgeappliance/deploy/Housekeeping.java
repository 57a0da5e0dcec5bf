package org.bridgeappliance.deploy;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.bridgeappliance.mapping.MappingDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic clean-up of the database: processed Matrix transaction ids older than two days are
 * forgotten (homeservers retry a transaction for hours at most, so older ids can never repeat), and,
 * when {@code bridge.retention.messages} is set, messages older than that (id map, reactions, aliases,
 * archive: {@link org.bridgeappliance.mapping.MessageRetention}), and deliveries whose late outcome
 * ({@link org.bridgeappliance.core.port.DeliveryOutcomes}) never came after {@link #KEEP_PENDING_OUTCOMES}.
 */
@Singleton
public class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    static final Duration KEEP_TRANSACTIONS = Duration.ofDays(2);
    /**
     * Far beyond any store-and-forward queue's life (the SIP adapter's {@code offline-ttl} is 72 h by default):
     * a delivery still pending after this is one whose adapter lost its queue (its outcome will never come), so
     * the row is dropped. Settled failures not yet reported to their author are kept.
     */
    static final Duration KEEP_PENDING_OUTCOMES = Duration.ofDays(30);

    private final MappingDatabase database;
    private final Duration keepMessages;
    private final java.time.Clock clock;

    @jakarta.inject.Inject
    public Housekeeping(MappingDatabase database,
                        @io.micronaut.context.annotation.Value("${bridge.retention.messages:0s}") Duration keepMessages) {
        this(database, keepMessages, java.time.Clock.systemUTC());
    }

    Housekeeping(MappingDatabase database, Duration keepMessages, java.time.Clock clock) {
        if (keepMessages.isNegative()) {
            throw new IllegalArgumentException("bridge.retention.messages must not be negative: " + keepMessages);
        }
        this.database = database;
        this.keepMessages = keepMessages;
        this.clock = clock;
    }

    @Scheduled(initialDelay = "10m", fixedDelay = "6h")
    void forgetOldTransactions() {
        try {
            int removed = database.forgetProcessedTransactions(clock.instant().minus(KEEP_TRANSACTIONS));
            if (removed > 0) {
                LOG.info("Forgot {} processed transaction id(s) older than {}", removed, KEEP_TRANSACTIONS);
            }
        } catch (RuntimeException e) {
            LOG.warn("Housekeeping failed: {}", e.toString());
        }
    }

    @Scheduled(initialDelay = "20m", fixedDelay = "6h")
    void forgetStalePendingOutcomes() {
        try {
            int removed = database.stores().lateOutcomes().forgetBefore(clock.instant().minus(KEEP_PENDING_OUTCOMES));
            if (removed > 0) {
                LOG.info("Forgot {} delivery outcome(s) still pending after {}", removed, KEEP_PENDING_OUTCOMES);
            }
        } catch (RuntimeException e) {
            LOG.warn("Pending outcome clean-up failed (retried in 6 h): {}", e.toString());
        }
    }

    @Scheduled(initialDelay = "15m", fixedDelay = "6h")
    void forgetOldMessages() {
        if (keepMessages.isZero()) {
            return;
        }
        try {
            var forgotten = database.forgetMessagesOlderThan(clock.instant().minus(keepMessages));
            if (!forgotten.isEmpty()) {
                LOG.info("Retention ({}): forgot {} message(s): {} id-map row(s), {} reaction(s), {} alias(es),"
                        + " {} archived", keepMessages, forgotten.messages(), forgotten.mapRows(),
                        forgotten.reactions(), forgotten.aliases(), forgotten.archived());
            }
        } catch (RuntimeException e) {
            LOG.warn("Message retention failed (retried in 6 h): {}", e.toString());
        }
    }
}
