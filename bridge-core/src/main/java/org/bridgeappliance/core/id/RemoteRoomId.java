package org.bridgeappliance.core.id;

/**
 * A room's id on one network: a MUC JID, a Matrix room id, a SIP room URI, or a 1:1 peer address.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record RemoteRoomId(String value) {
    public RemoteRoomId {
        Ids.require(value, "RemoteRoomId");
    }

    public static RemoteRoomId of(String value) {
        return new RemoteRoomId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
