package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;

/**
 * A room mapping: one conversation and its portals, at most one per network.
 *
 * @param name    a label for admins
 * @param enabled when false, nothing is bridged in or out of the room
 */
public record BridgedRoom(RoomId id, String name, List<Portal> portals, boolean enabled) {
    public BridgedRoom {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        portals = List.copyOf(portals);
        if (portals.stream().map(Portal::network).distinct().count() != portals.size()) {
            throw new IllegalArgumentException("a bridged room has at most one portal per network: " + portals);
        }
    }

    public Optional<Portal> portalOn(Network network) {
        return portals.stream().filter(p -> p.network().equals(network)).findFirst();
    }
}
