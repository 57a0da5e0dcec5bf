package org.bridgeappliance.core.id;

/**
 * A user's id on one network: a bare JID, an MXID, a SIP address-of-record.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record RemoteUserId(String value) {
    public RemoteUserId {
        Ids.require(value, "RemoteUserId");
    }

    public static RemoteUserId of(String value) {
        return new RemoteUserId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
