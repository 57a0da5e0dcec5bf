package org.bridgeappliance.core.id;

import java.util.Objects;

/**
 * A person as they exist on their origin network. Puppets of this person on other networks
 * are derived from it by the adapters, reversibly.
 */
public record UserRef(Network network, RemoteUserId user) {
    public UserRef {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(user, "user");
    }

    public static UserRef of(String network, String user) {
        return new UserRef(Network.of(network), RemoteUserId.of(user));
    }

    @Override
    public String toString() {
        return network + ":" + user;
    }
}
