package org.bridgeappliance.core.model;

import java.time.Instant;
import org.bridgeappliance.core.id.UserRef;

/**
 * Everything that crosses the bridge, in one protocol-neutral vocabulary. Adapters convert their
 * protocol's events into these records on the way in and out of them on the way out; the router
 * sees nothing else. All implementations are immutable.
 */
public sealed interface BridgeEvent permits RoomEvent, PresenceEvent {
    /** The person who caused the event, on their origin network. */
    UserRef sender();

    /** When it happened on the origin network (a delayed-delivery stamp when the protocol gives one). */
    Instant timestamp();
}
