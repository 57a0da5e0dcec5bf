package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;

/**
 * An accepted inbound event that is not yet delivered everywhere.
 *
 * @param sequence  increasing in acceptance order; the order of delivery within a room
 * @param messageId the canonical id assigned at acceptance
 * @param delivered the portals already done (delivered or given up and reported), so a replay after
 *                  a crash does not deliver twice
 */
public record OutboxEntry(long sequence, RoomId room, BridgeMessageId messageId, RoomEvent event,
                          Set<Portal> delivered, Instant acceptedAt) {
    public OutboxEntry {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(event, "event");
        delivered = Set.copyOf(delivered);
        Objects.requireNonNull(acceptedAt, "acceptedAt");
    }
}
