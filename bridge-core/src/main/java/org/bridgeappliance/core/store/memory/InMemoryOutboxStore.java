package org.bridgeappliance.core.store.memory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.OutboxStore;

/**
 * In-memory {@link OutboxStore}. "Durable" only for the life of the object: a test simulates a restart by
 * handing the same instance to a new router.
 */
public final class InMemoryOutboxStore implements OutboxStore {
    private static final class Row {
        final OutboxEntry entry;
        final Set<Portal> delivered = new HashSet<>();

        Row(OutboxEntry entry) {
            this.entry = entry;
        }
    }

    private final Clock clock;
    private final TreeMap<Long, Row> rows = new TreeMap<>();
    private final Map<BridgeMessageId, Integer> pendingByMessage = new HashMap<>();
    private long nextSequence = 1;

    public InMemoryOutboxStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized OutboxEntry append(RoomId room, BridgeMessageId messageId, RoomEvent event) {
        OutboxEntry entry = new OutboxEntry(nextSequence++, room, messageId, event, Set.of(), clock.instant());
        rows.put(entry.sequence(), new Row(entry));
        pendingByMessage.merge(messageId, 1, Integer::sum);
        return entry;
    }

    @Override
    public synchronized void markDone(long sequence, Portal target) {
        Row row = rows.get(sequence);
        if (row != null) {
            row.delivered.add(Objects.requireNonNull(target, "target"));
        }
    }

    @Override
    public synchronized void complete(long sequence) {
        Row row = rows.remove(sequence);
        if (row != null) {
            pendingByMessage.computeIfPresent(row.entry.messageId(), (k, n) -> n == 1 ? null : n - 1);
        }
    }

    @Override
    public synchronized List<OutboxEntry> pending() {
        List<OutboxEntry> list = new ArrayList<>(rows.size());
        for (Row row : rows.values()) {
            OutboxEntry e = row.entry;
            list.add(new OutboxEntry(e.sequence(), e.room(), e.messageId(), e.event(), row.delivered, e.acceptedAt()));
        }
        return list;
    }

    @Override
    public synchronized boolean containsPending(BridgeMessageId messageId) {
        return pendingByMessage.containsKey(messageId);
    }
}
