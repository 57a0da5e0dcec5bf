package org.bridgeappliance.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;

/**
 * The envelope every room event carries.
 *
 * @param origin    the portal the event came from
 * @param sender    the person who caused it, on the origin network
 * @param profile   how the sender presents themselves (used to create or refresh their puppets)
 * @param remoteId  the event's id on the origin network, if the protocol gives one
 * @param timestamp when it happened on the origin network
 */
public record EventMeta(Portal origin, UserRef sender, Profile profile, Optional<RemoteMessageId> remoteId,
                        Instant timestamp) {
    public EventMeta {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(remoteId, "remoteId");
        Objects.requireNonNull(timestamp, "timestamp");
        if (!origin.network().equals(sender.network())) {
            throw new IllegalArgumentException("sender " + sender + " is not on the origin network " + origin);
        }
    }

    public static EventMeta of(Portal origin, UserRef sender, String remoteId, Instant timestamp) {
        return new EventMeta(origin, sender, Profile.EMPTY,
                Optional.ofNullable(remoteId).map(RemoteMessageId::new), timestamp);
    }

    public EventMeta withProfile(Profile newProfile) {
        return new EventMeta(origin, sender, newProfile, remoteId, timestamp);
    }
}
