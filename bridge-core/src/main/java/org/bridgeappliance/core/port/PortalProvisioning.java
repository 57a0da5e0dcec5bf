package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;

/**
 * Optional capability of a {@link ProtocolAdapter} that can find or create rooms on its network on
 * demand, so that a user on another network can open a conversation without an admin mapping it
 * first: a 1:1 chat with a puppet, or a gateway join of a room by its public address.
 *
 * <p>Called from the requesting adapter's thread through {@link PortalCoordinator}; may block on
 * network I/O with bounded timeouts.
 */
public interface PortalProvisioning {

    /**
     * Finds or creates the 1:1 room on this network between a puppet of {@code person} (a user of
     * another network) and this network's user {@code localUser}.
     *
     * @return the room's id on this network
     * @throws PermanentDeliveryException if {@code localUser} does not exist or refuses
     * @throws TransientDeliveryException if the network is unreachable
     */
    RemoteRoomId ensureDirectChat(UserRef person, RemoteUserId localUser);

    /**
     * Resolves a room address as users of this network write it (a Matrix alias
     * {@code #room:server}, a MUC JID) to the room's id, making sure the bridge can take part.
     *
     * @return empty if no such room exists or the bridge may not join it
     */
    Optional<RemoteRoomId> resolveRoom(String address);
}
