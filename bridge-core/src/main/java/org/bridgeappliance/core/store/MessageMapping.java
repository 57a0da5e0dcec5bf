package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;

/**
 * One network's copy (or one part of it) of a canonical message.
 *
 * @param author   the person who wrote the message, on their origin network (the same for every copy)
 * @param portal   where this copy lives
 * @param remoteId what that network calls this copy
 * @param part     0 for the first (or only) part; messages split for a network have parts 0..n-1
 * @param origin   true for the copy the author sent; false for copies the bridge delivered
 */
public record MessageMapping(BridgeMessageId messageId, RoomId room, Portal portal, UserRef author,
                             RemoteMessageId remoteId, int part, boolean origin, Instant timestamp) {
    public MessageMapping {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(remoteId, "remoteId");
        Objects.requireNonNull(timestamp, "timestamp");
        if (part < 0) {
            throw new IllegalArgumentException("part < 0");
        }
    }
}
