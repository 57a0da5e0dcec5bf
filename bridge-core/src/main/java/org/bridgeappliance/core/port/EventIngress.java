package org.bridgeappliance.core.port;

import org.bridgeappliance.core.model.BridgeEvent;

/**
 * Where adapters hand inbound events to the core. Thread-safe; called from adapters' network
 * threads.
 */
public interface EventIngress {

    /**
     * Accepts an event for bridging. Returns once the event is durably queued (adapters may then
     * acknowledge it to their network: a SIP 202, an AS transaction 200), or says why not.
     * Events of one room are delivered in the order of their {@code submit} calls.
     *
     * @throws IngressUnavailableException when the event could not be queued (store down); the
     *         adapter must not acknowledge it, so that the network retries
     */
    Acceptance submit(BridgeEvent event);

    /** The outcome of {@link #submit}. */
    enum Acceptance {
        /** Durably queued; it will be delivered, or reported back to its author. */
        QUEUED,
        /** The same remote event was accepted before; nothing more happens. */
        DUPLICATE,
        /** Sent by the bridge itself (a puppet or the bot); bridging it would loop. */
        ECHO,
        /** The room is not bridged anywhere; the adapter answers in its protocol's terms. */
        NOT_BRIDGED,
        /** Refers to a message the bridge never saw (an edit of an unknown message, say). */
        UNKNOWN_REFERENCE
    }
}
