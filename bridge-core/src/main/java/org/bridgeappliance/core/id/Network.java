package org.bridgeappliance.core.id;

/**
 * Names one protocol network that an adapter serves ("xmpp", "matrix", "sip"). The router never branches on its value.
 *
 * <p>Opaque to the core: only the adapter of the network it belongs to interprets it.
 */
public record Network(String value) {
    public Network {
        Ids.require(value, "Network");
    }

    public static Network of(String value) {
        return new Network(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
