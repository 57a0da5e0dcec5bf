package org.bridgeappliance.core.port;

import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;

/**
 * Where an adapter whose network stores and forwards tells the core, later, how a delivery it accepted
 * finally ended: a SIP phone that was offline (a 480 queued for when it registers again, msilo-style), a
 * MESSAGE a queuing proxy answered with 202 Accepted (RFC 3428 §7: 202 means only "accepted for
 * delivery"), a final IMDN. Handed to adapters in {@link AdapterContext#outcomes()}.
 *
 * <p><b>How a delivery becomes late.</b> The adapter's {@link ProtocolAdapter#deliver} returns
 * {@link DeliveryReceipt#awaitingOutcome} instead of a plain receipt. The router then records the delivery
 * as pending (durably, with the original event, so the author can still be told after a restart), marks the
 * portal done in the outbox and moves on: the room's pipeline is not held while the phone is away. Exactly
 * one of {@link #delivered} and {@link #failed} should follow, from any thread, at any later time (also
 * after a restart of the appliance: the pending record is in the database; the adapter keeps its own queue
 * and the two keys below).
 *
 * <p><b>Keys.</b> A delivery is named by {@link Delivery#messageId()} and {@link Delivery#target()} of the
 * {@code deliver} call that returned the pending receipt. For a body split into several parts (several
 * {@code deliver} calls with the same keys) the first outcome decides: report a failure if any part failed.
 *
 * <p><b>What the core does.</b> {@link #failed} reaches the author once, through the origin adapter's
 * {@link ProtocolAdapter#reportFailure} (in the author's own network's terms), on a router thread, not on the
 * caller's. Outcomes for a delivery that is not pending (already settled, never marked pending, or forgotten
 * by retention) are ignored, so repeating a report is harmless. An outcome that arrives before the router
 * recorded the pending state (a fast final answer racing the return of {@code deliver}) is kept and applied
 * when it does.
 *
 * <p>Threading: thread-safe; both methods block only on a store write (milliseconds) and never throw: a
 * store failure is logged, and the outcome is lost only if the store stays down (the adapter may report
 * again).
 */
public interface DeliveryOutcomes {

    /** Outcomes nobody listens to (contexts built without a router). */
    DeliveryOutcomes NONE = new DeliveryOutcomes() {
        @Override
        public void delivered(BridgeMessageId messageId, Portal target) {
        }

        @Override
        public void failed(BridgeMessageId messageId, Portal target, String reason) {
        }
    };

    /** The pending delivery of {@code messageId} into {@code target} finally arrived: it is forgotten. */
    void delivered(BridgeMessageId messageId, Portal target);

    /**
     * The pending delivery of {@code messageId} into {@code target} finally failed (the phone never came
     * back before the adapter's queue expired, a final 4xx/5xx/6xx, an IMDN "failed").
     *
     * @param reason a short human-readable reason in neutral terms ("the phone did not come back within
     *               24 h"); shown to the author, so no secrets and no protocol dumps
     */
    void failed(BridgeMessageId messageId, Portal target, String reason);
}
