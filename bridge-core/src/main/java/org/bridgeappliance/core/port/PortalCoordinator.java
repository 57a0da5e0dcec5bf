package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.BridgedRoom;

/**
 * Creates room mappings on demand across networks, for adapters that receive a conversation the
 * bridge has no mapping for yet. Thread-safe; may block on the other network's I/O.
 */
public interface PortalCoordinator {

    /** A coordinator that can create nothing (used where no adapter offers provisioning). */
    PortalCoordinator NONE = new PortalCoordinator() {
        @Override
        public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
            return Optional.empty();
        }

        @Override
        public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
            return Optional.empty();
        }
    };

    /**
     * The bridged room of a 1:1 chat: {@code origin} is the initiator's side (on the initiator's
     * network), {@code recipient} the person on the other network. Creates the other side through
     * that network's {@link PortalProvisioning} when the mapping does not exist yet.
     *
     * @return empty if the recipient's network cannot provision a chat
     */
    Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient);

    /**
     * The bridged room joining {@code origin} (a gateway room served by the requesting adapter)
     * to the room known as {@code address} on network {@code target}.
     *
     * @return empty if the address does not resolve
     */
    Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address);
}
