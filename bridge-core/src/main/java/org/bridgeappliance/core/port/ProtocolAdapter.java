package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;

/**
 * The one required port between the core and a protocol. An adapter owns the connection to its
 * network, converts inbound protocol events to canonical events (handing them to
 * {@link AdapterContext#ingress()}) and delivers canonical events the router sends it.
 *
 * <p>Threading: {@link #deliver} is called from the router's per-room pipeline threads, one call
 * at a time per room and in order; calls for different rooms may be concurrent. It may block on
 * network I/O (the pipeline of that room waits) but should bound that wait with timeouts.
 */
public interface ProtocolAdapter {

    /** The network this adapter serves; unique among the adapters of one appliance. */
    Network network();

    /**
     * Connects and begins receiving. Called once, on the start-up thread; must not block for
     * longer than it takes to begin connecting (connection runs in the background and is
     * reported through {@link AdapterContext#stateListener()}).
     */
    void start(AdapterContext context);

    /** Leaves rooms politely, disconnects, frees threads. Called once, at shutdown. Idempotent. */
    void stop();

    /** The current health, cheap to call (the admin API and the router read it often). */
    AdapterState state();

    /** What the room {@code room} on this network can carry; decides the router's fallbacks. */
    RoomCapabilities capabilities(RemoteRoomId room);

    /**
     * True when {@code user} is one of this adapter's own puppets or its bot, i.e. an address the
     * bridge itself speaks for. Events from such users are echoes and are never bridged back.
     */
    boolean isBridgeUser(RemoteUserId user);

    /**
     * Delivers one event into one portal of this network.
     *
     * @return the ids the network gave the delivered message (more than one when it was split),
     *         recorded in the message map so later edits, replies and retractions find it
     * @throws TransientDeliveryException when a retry may succeed (network down, 5xx, rate limit)
     * @throws PermanentDeliveryException when it never will (forbidden, room gone, rejected)
     */
    DeliveryReceipt deliver(Delivery delivery);

    /**
     * Tells the author of an event from this network that it could not be delivered elsewhere,
     * in the protocol's own terms (an XMPP error stanza, a Matrix notice, a SIP MESSAGE). Called
     * after the router has given up retrying; must not throw.
     */
    void reportFailure(DeliveryFailure failure);

    /**
     * The address grammar of this network (see {@link AddressSyntax}), if the adapter knows it. Called at
     * any time, also before {@link #start} and when the adapter is disabled (the admin API validates
     * mappings of a disabled network too): return an object that needs no connection. Cheap; the router
     * reads it once, when it is built. The default has none, and the network gets generic checks.
     */
    default Optional<AddressSyntax> addressSyntax() {
        return Optional.empty();
    }
}
