package org.bridgeappliance.core.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;

/**
 * The durable delivery queue. An inbound room event is appended before its adapter acknowledges
 * it to its network, and removed once every target portal is done, so a crash in between loses
 * nothing and, with the per-portal marks, doubles nothing.
 */
public interface OutboxStore {
    /** Durably appends; returns the entry with its sequence number. */
    OutboxEntry append(RoomId room, BridgeMessageId messageId, RoomEvent event);

    /** Marks one target portal of an entry as done. */
    void markDone(long sequence, Portal target);

    /** Removes the entry: every target is done. */
    void complete(long sequence);

    /** Every entry not yet completed, in sequence order (replayed at start-up). */
    List<OutboxEntry> pending();

    /** How many entries are not yet completed: an exact count (the admin dashboard's outbox depth). */
    default long countPending() {
        return pending().size();
    }

    /** How many entries are not yet completed, per bridged room (rooms with none are absent): a room's backlog. */
    default Map<RoomId, Long> countPendingByRoom() {
        Map<RoomId, Long> counts = new HashMap<>();
        pending().forEach(e -> counts.merge(e.room(), 1L, Long::sum));
        return counts;
    }

    /** True if an entry for this canonical message is still pending. */
    boolean containsPending(BridgeMessageId messageId);
}
