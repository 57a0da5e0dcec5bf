package org.bridgeappliance.core.id;

/**
 * A message's (or reaction's) id on one network: an XMPP stanza/origin id, a Matrix event id, an IMDN Message-ID.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record RemoteMessageId(String value) {
    public RemoteMessageId {
        Ids.require(value, "RemoteMessageId");
    }

    public static RemoteMessageId of(String value) {
        return new RemoteMessageId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
