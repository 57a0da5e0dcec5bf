package org.bridgeappliance.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;

/**
 * A person's availability changed. Not tied to a room: the router sends it to every network where
 * the person has a puppet that someone can see.
 *
 * @param note the free-text status (XMPP status, Matrix status_msg, PIDF note)
 */
public record PresenceEvent(UserRef sender, Presence presence, Optional<String> note, Profile profile,
                            Instant timestamp) implements BridgeEvent {
    public PresenceEvent {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
