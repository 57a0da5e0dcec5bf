package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;

/**
 * Deliveries whose outcome a store-and-forward network reports later
 * ({@link org.bridgeappliance.core.port.DeliveryOutcomes}), kept so that a failure still reaches its author
 * after a restart, and reaches them once. Keyed by (canonical message id, target portal).
 *
 * <p>States of one key: <em>pending</em> (the router recorded the delivery), <em>failed</em> (settled as
 * failed, not yet reported to the author), and <em>early</em> (an outcome reported before the router
 * recorded the delivery as pending; applied by {@link #await}). A delivered outcome and a reported failure
 * leave nothing behind.
 *
 * <p>Thread-safe; every method is atomic (one key's {@link #await} and {@link #settle} never interleave) and
 * may block on the database.
 */
public interface LateOutcomeStore {

    /**
     * A delivery accepted by its network, outcome to come.
     *
     * @param event    the event as it arrived from its origin (what the author is told about)
     * @param attempts how many {@code deliver} calls it took (reported with a failure)
     * @param since    when it was accepted by the target network
     */
    record Pending(BridgeMessageId messageId, RoomId room, Portal target, RoomEvent event, int attempts,
                   Instant since) {
        public Pending {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(since, "since");
        }
    }

    /** How a delivery ended: delivered, or failed with a reason. */
    record Outcome(boolean delivered, String reason) {
        public static final Outcome DELIVERED = new Outcome(true, "");

        public Outcome {
            Objects.requireNonNull(reason, "reason");
        }

        public static Outcome failed(String reason) {
            return new Outcome(false, reason);
        }
    }

    /** A settled failure the author has not been told about yet. */
    record Failure(Pending delivery, String reason, Instant at) {
        public Failure {
            Objects.requireNonNull(delivery, "delivery");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * Records {@code pending}. If an outcome for its key arrived early, applies it instead: a delivered one is
     * forgotten, a failed one becomes a {@link Failure} to report (returned here and by {@link #unreported}).
     * A key already pending or failed is left as it is.
     *
     * @return the early outcome, if one was waiting
     */
    Optional<Outcome> await(Pending pending);

    /**
     * Settles a key. Pending and delivered: forgotten; pending and failed: becomes a {@link Failure} until
     * {@link #reported}. A key not known yet keeps {@code outcome} as early (for {@link #await}); a key already
     * settled or early is left as it is.
     *
     * @return the failure to report, only on the one call that turned a pending key into a failure
     */
    Optional<Failure> settle(BridgeMessageId messageId, Portal target, Outcome outcome, Instant at);

    /** Settled failures not yet {@link #reported}, oldest first (re-reported at start after a crash). */
    List<Failure> unreported();

    /** The author was told: the failure is forgotten. */
    void reported(BridgeMessageId messageId, Portal target);

    /**
     * Forgets pending and early keys older than {@code cutoff} (a network that never reported, an outcome for
     * a delivery that never became pending). Unreported failures are kept.
     *
     * @return how many keys were forgotten
     */
    int forgetBefore(Instant cutoff);
}
