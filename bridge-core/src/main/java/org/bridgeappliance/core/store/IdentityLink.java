package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import org.bridgeappliance.core.id.UserRef;

/**
 * Two accounts on different networks that belong to the same person, declared by an admin. The
 * bridge then shows that person as their own account on the linked network instead of a puppet,
 * and does not bridge their messages to it twice.
 */
public record IdentityLink(long id, UserRef first, UserRef second, Instant createdAt) {
    public IdentityLink {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Objects.requireNonNull(createdAt, "createdAt");
        if (first.network().equals(second.network())) {
            throw new IllegalArgumentException("an identity link joins accounts on two different networks");
        }
    }
}
