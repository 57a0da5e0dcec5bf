package org.bridgeappliance.core.id;

import java.util.Objects;

/**
 * One network's side of a bridged room: the room {@code room} on network {@code network}.
 * A bridged room has at most one portal per network.
 */
public record Portal(Network network, RemoteRoomId room) {
    public Portal {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(room, "room");
    }

    public static Portal of(String network, String room) {
        return new Portal(Network.of(network), RemoteRoomId.of(room));
    }

    @Override
    public String toString() {
        return network + ":" + room;
    }
}
