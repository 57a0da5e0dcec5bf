package org.bridgeappliance.core.port;

import org.bridgeappliance.core.model.PresenceEvent;

/**
 * Optional capability of a {@link ProtocolAdapter} whose network can show other networks' people's
 * availability (XMPP presence of puppets, Matrix presence of ghosts, SIP PUBLISH/NOTIFY with PIDF,
 * RFC 3863). Adapters without it never receive presence.
 *
 * <p>Presence is ephemeral: it is not written to the outbox, and the router keeps only the latest
 * pending change per person and network (older ones are dropped, counted as ephemeral drops).
 *
 * <p>Threading: called from the router's shared pool, one call at a time per (person, network),
 * concurrently for different people. May block on network I/O with bounded timeouts.
 */
public interface PresenceSupport {

    /**
     * Shows {@code presence.sender()}'s new availability on this network (through their puppet, which the
     * adapter creates or finds through the stores).
     *
     * @throws TransientDeliveryException when a later retry may succeed (retried unless superseded)
     * @throws PermanentDeliveryException when it never will (logged and counted; presence is not reported back)
     */
    void deliverPresence(PresenceEvent presence);
}
