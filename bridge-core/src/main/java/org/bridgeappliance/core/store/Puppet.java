package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;

/**
 * A person's stand-in on a network that is not their own: a Matrix user as a JID on the bridge's
 * XMPP component, an XMPP user as an {@code @_xmpp_...} ghost on Matrix.
 *
 * @param person   who it stands for, on their origin network
 * @param network  where the puppet lives
 * @param puppetId its address there
 * @param profile  the name and avatar it last showed
 */
public record Puppet(UserRef person, Network network, RemoteUserId puppetId, Profile profile, Instant updatedAt) {
    public Puppet {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(puppetId, "puppetId");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (person.network().equals(network)) {
            throw new IllegalArgumentException("a puppet lives on another network than its person");
        }
    }
}
