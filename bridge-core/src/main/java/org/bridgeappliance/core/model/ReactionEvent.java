package org.bridgeappliance.core.model;

import java.util.Objects;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * One reaction added or removed by one person. Protocols that send the whole set of a user's
 * reactions (XEP-0444) are reconciled into adds and removes by their adapter.
 *
 * @param target the origin-network id of the message reacted to
 * @param key    the reaction, usually one emoji
 * @param added  true to add, false to remove
 */
public record ReactionEvent(EventMeta meta, RemoteMessageId target, String key, boolean added) implements RoomEvent {
    public ReactionEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty reaction key");
        }
    }
}
