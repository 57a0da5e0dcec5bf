package org.bridgeappliance.core.store.memory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.MessageArchive;

/**
 * In-memory {@link MessageArchive} with the same ordering and anchor rules as the JDBC one: archive order is
 * append order. Unbounded (tests, benchmarks); the JDBC archive is the one that persists.
 */
public final class InMemoryMessageArchive implements MessageArchive {
    private record Entry(long seq, ArchivedMessage message) {
    }

    private final Map<BridgeMessageId, Entry> byId = new HashMap<>();
    private final Map<RoomId, NavigableMap<Long, BridgeMessageId>> byRoom = new HashMap<>();
    private long nextSeq = 1;

    @Override
    public synchronized boolean append(ArchivedMessage message) {
        Objects.requireNonNull(message, "message");
        if (byId.containsKey(message.id())) {
            return false;
        }
        long seq = nextSeq++;
        byId.put(message.id(), new Entry(seq, message));
        byRoom.computeIfAbsent(message.room(), r -> new TreeMap<>()).put(seq, message.id());
        return true;
    }

    @Override
    public synchronized Optional<ArchivedMessage> find(BridgeMessageId id) {
        return Optional.ofNullable(byId.get(id)).map(Entry::message);
    }

    @Override
    public synchronized List<ArchivedMessage> query(ArchiveQuery q) {
        Objects.requireNonNull(q, "query");
        NavigableMap<Long, BridgeMessageId> room = byRoom.get(q.room());
        if (room == null) {
            return List.of();
        }
        NavigableMap<Long, BridgeMessageId> range = room;
        if (q.after().isPresent()) {
            Entry anchor = byId.get(q.after().get());
            if (anchor == null || !anchor.message().room().equals(q.room())) {
                return List.of();
            }
            range = range.tailMap(anchor.seq(), false);
        }
        if (q.before().isPresent()) {
            Entry anchor = byId.get(q.before().get());
            if (anchor == null || !anchor.message().room().equals(q.room())) {
                return List.of();
            }
            range = range.headMap(anchor.seq(), false);
        }
        Iterable<BridgeMessageId> order = q.from() == ArchiveQuery.End.OLDEST ? range.values()
                : range.descendingMap().values();
        Deque<ArchivedMessage> out = new ArrayDeque<>();
        for (BridgeMessageId id : order) {
            ArchivedMessage m = byId.get(id).message();
            if (matches(q, m)) {
                if (q.from() == ArchiveQuery.End.OLDEST) {
                    out.addLast(m);
                } else {
                    out.addFirst(m);
                }
                if (out.size() >= q.limit()) {
                    break;
                }
            }
        }
        return List.copyOf(new ArrayList<>(out));
    }

    private static boolean matches(ArchiveQuery q, ArchivedMessage m) {
        return (q.includeRetracted() || !m.retracted())
                && q.start().map(s -> !m.timestamp().isBefore(s)).orElse(true)
                && q.end().map(e -> !m.timestamp().isAfter(e)).orElse(true)
                && q.author().map(a -> a.equals(m.author())).orElse(true);
    }

    @Override
    public synchronized boolean edit(BridgeMessageId id, MessageBody newBody, Instant editedAt) {
        Objects.requireNonNull(newBody, "newBody");
        Objects.requireNonNull(editedAt, "editedAt");
        Entry e = byId.get(id);
        if (e == null || e.message().retracted()) {
            return false;
        }
        byId.put(id, new Entry(e.seq(), e.message().edited(newBody, editedAt)));
        return true;
    }

    @Override
    public synchronized boolean retract(BridgeMessageId id) {
        Entry e = byId.get(id);
        if (e == null) {
            return false;
        }
        byId.put(id, new Entry(e.seq(), e.message().tombstone()));
        return true;
    }

    @Override
    public synchronized int forgetOlderThan(Instant cutoff) {
        List<Entry> old = byId.values().stream().filter(e -> e.message().timestamp().isBefore(cutoff)).toList();
        for (Entry e : old) {
            byId.remove(e.message().id());
            NavigableMap<Long, BridgeMessageId> room = byRoom.get(e.message().room());
            if (room != null) {
                room.remove(e.seq());
            }
        }
        return old.size();
    }
}
