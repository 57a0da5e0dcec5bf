package org.bridgeappliance.core.model;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;

/**
 * A change of who is in the room. {@code sender} caused it; {@code subject} is whose membership
 * changed (the same person for joins and leaves, someone else for kicks, bans and invites).
 */
public record MembershipEvent(EventMeta meta, UserRef subject, Membership membership, Optional<String> reason)
        implements RoomEvent {
    public enum Membership { JOIN, LEAVE, INVITE, KICK, BAN, PROFILE_CHANGE }

    public MembershipEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(reason, "reason");
    }
}
