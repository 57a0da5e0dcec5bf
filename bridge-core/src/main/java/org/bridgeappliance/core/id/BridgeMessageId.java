package org.bridgeappliance.core.id;

/**
 * The bridge's own id of one canonical message, shared by every network's copy of it.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record BridgeMessageId(String value) {
    public BridgeMessageId {
        Ids.require(value, "BridgeMessageId");
    }

    public static BridgeMessageId of(String value) {
        return new BridgeMessageId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
