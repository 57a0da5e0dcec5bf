package org.bridgeappliance.core.port;

import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * Where an adapter tells the core that a copy of a delivery exists on its network <em>before</em> its
 * {@link ProtocolAdapter#deliver} call has returned the receipt. Handed to adapters in
 * {@link AdapterContext#copies()}.
 *
 * <p><b>When.</b> Only while the {@code deliver} call for {@code delivery} is still running, and only when
 * the network makes the copy visible to its users earlier than the call can return: a XEP-0045 room reflects
 * the message to every occupant, who may react to it or reply at once, while the delivering router thread is
 * still waiting for that reflection. Without this, such a reference would race the receipt and be refused as
 * unknown. Adapters whose receipt is the first sign of the copy do not call it.
 *
 * <p><b>What the core does.</b> It records the copy in the message map (part 0 of {@code delivery.target()},
 * authored by the delivered event's sender), by the same code path the router uses for the receipt: the
 * router stays the one writer of the map. The call is idempotent: repeating it, and the router's later record
 * of the same copy from the receipt (which must then name the same id), add nothing and fail nothing. A copy
 * the receipt does not name stays recorded.
 *
 * <p><b>Threading.</b> Thread-safe; typically called on the adapter's inbound (reader) thread. It blocks on one
 * store write (milliseconds) and never throws: a store failure, or an id already recorded for another
 * message, is logged, and the router records the copy from the receipt as usual.
 */
public interface EarlyCopies {

    /** Copies nobody records (contexts built without a router). */
    EarlyCopies NONE = (delivery, remoteId) -> {
    };

    /**
     * {@code remoteId} is what the target network calls the copy of {@code delivery} (its first part).
     *
     * @param delivery the delivery whose {@code deliver} call is still running
     * @param remoteId the copy's id on {@code delivery.target()}
     */
    void known(Delivery delivery, RemoteMessageId remoteId);
}
