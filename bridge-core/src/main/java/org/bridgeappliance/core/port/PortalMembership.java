package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteRoomId;

/**
 * Optional capability of a {@link ProtocolAdapter} that knows whether the bridge is currently in one of its
 * network's rooms (the Matrix bot joined, the XMPP component's occupant present), for the admin UI's per-mapping
 * health. Adapters without it are shown as "unknown".
 *
 * <p>Threading: called on the admin API's worker threads, concurrently, once per portal of every listed mapping.
 * Answers from what the adapter already knows: never blocks on network I/O.
 */
public interface PortalMembership {

    /** True when the bridge is in {@code room} now, false when it is not, empty when the adapter cannot tell. */
    Optional<Boolean> bridgeJoined(RemoteRoomId room);
}
