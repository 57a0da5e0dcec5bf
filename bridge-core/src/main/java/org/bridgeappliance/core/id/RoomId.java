package org.bridgeappliance.core.id;

/**
 * The bridge's own id of a bridged room: one conversation that has a portal on each linked network.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record RoomId(String value) {
    public RoomId {
        Ids.require(value, "RoomId");
    }

    public static RoomId of(String value) {
        return new RoomId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
