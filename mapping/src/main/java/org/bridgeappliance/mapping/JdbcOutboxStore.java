package org.bridgeappliance.mapping;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.OutboxStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery queue in {@code outbox} (one row per accepted event, the event as {@link EventCodec}
 * JSON) and {@code outbox_done} (one row per target portal that is done).
 *
 * <p>Durability is the database's: {@link #append} returns after the commit. With the embedded H2
 * of {@link H2DataSources} that means written to the operating system (it survives the process
 * being killed, not necessarily a power cut).
 */
final class JdbcOutboxStore implements OutboxStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcOutboxStore.class);

    private final Jdbc jdbc;
    private final EventCodec codec;
    private final Clock clock;

    JdbcOutboxStore(Jdbc jdbc, EventCodec codec, Clock clock) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.clock = clock;
    }

    @Override
    public OutboxEntry append(RoomId room, BridgeMessageId messageId, RoomEvent event) {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(event, "event");
        String json = codec.encode(event); // before any write: a too-large event is refused, nothing stored
        Instant acceptedAt = Jdbc.dbPrecision(clock.instant());
        long sequence = jdbc.withConnection("append to outbox", c -> Jdbc.insertReturningKey(c,
                "INSERT INTO outbox (room_id, message_id, event_json, accepted_at) VALUES (?, ?, ?, ?)", "seq", s -> {
                    s.setString(1, room.value());
                    s.setString(2, messageId.value());
                    s.setString(3, json);
                    Jdbc.setInstant(s, 4, acceptedAt);
                }));
        return new OutboxEntry(sequence, room, messageId, event, Set.of(), acceptedAt);
    }

    @Override
    public void markDone(long sequence, Portal target) {
        Objects.requireNonNull(target, "target");
        Jdbc.limit(target.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        boolean already = jdbc.queryOne("check outbox mark", "SELECT 1 FROM outbox_done"
                + " WHERE seq = ? AND network = ? AND remote_room = ?", s -> {
                    s.setLong(1, sequence);
                    s.setString(2, target.network().value());
                    s.setString(3, target.room().value());
                }, r -> Boolean.TRUE).isPresent();
        if (already) {
            return;
        }
        try {
            jdbc.update("mark outbox target done", "INSERT INTO outbox_done (seq, network, remote_room) VALUES (?, ?, ?)",
                    s -> {
                        s.setLong(1, sequence);
                        s.setString(2, target.network().value());
                        s.setString(3, target.room().value());
                    });
        } catch (StoreConflictException e) {
            // Either marked concurrently (the key) or the entry is already completed (the foreign
            // key): in both cases the target needs no delivery, which is all a mark says.
        }
    }

    @Override
    public void complete(long sequence) {
        jdbc.inTransaction("complete outbox entry", c -> {
            Jdbc.update(c, "DELETE FROM outbox_done WHERE seq = ?", s -> s.setLong(1, sequence));
            Jdbc.update(c, "DELETE FROM outbox WHERE seq = ?", s -> s.setLong(1, sequence));
            return null;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>An entry whose stored event cannot be decoded (a hand-edited row, a document of a newer
     * release after a downgrade) is left in the table, logged with its sequence number and skipped,
     * so one bad row cannot stop the replay of all the others.
     */
    @Override
    public List<OutboxEntry> pending() {
        record Row(long sequence, String room, String messageId, String json, Instant acceptedAt) {
        }
        return jdbc.inTransaction("list pending outbox entries", c -> {
            List<Row> rows = Jdbc.query(c, "SELECT seq, room_id, message_id, event_json, accepted_at FROM outbox"
                    + " ORDER BY seq", s -> { }, r -> new Row(r.getLong("seq"), r.getString("room_id"),
                            r.getString("message_id"), r.getString("event_json"), Jdbc.getInstant(r, "accepted_at")));
            Map<Long, Set<Portal>> done = new HashMap<>();
            Jdbc.query(c, "SELECT seq, network, remote_room FROM outbox_done", s -> { },
                    r -> done.computeIfAbsent(r.getLong("seq"), k -> new HashSet<>())
                            .add(new Portal(Network.of(r.getString("network")),
                                    RemoteRoomId.of(r.getString("remote_room")))));
            List<OutboxEntry> entries = new ArrayList<>(rows.size());
            for (Row row : rows) {
                RoomEvent event;
                try {
                    event = codec.decode(row.json());
                } catch (EventCodecException e) {
                    LOG.error("Outbox entry {} cannot be decoded and is skipped (left in the table): {}",
                            row.sequence(), e.getMessage());
                    continue;
                }
                entries.add(new OutboxEntry(row.sequence(), RoomId.of(row.room()), BridgeMessageId.of(row.messageId()),
                        event, done.getOrDefault(row.sequence(), Set.of()), row.acceptedAt()));
            }
            return entries;
        });
    }

    /** {@inheritDoc} Counted by the database, undecodable rows included (they are pending too). */
    @Override
    public long countPending() {
        return jdbc.queryOne("count outbox entries", "SELECT COUNT(*) FROM outbox", s -> { }, r -> r.getLong(1))
                .orElse(0L);
    }

    @Override
    public Map<RoomId, Long> countPendingByRoom() {
        Map<RoomId, Long> counts = new HashMap<>();
        jdbc.inTransaction("count outbox entries per room", c -> Jdbc.query(c,
                "SELECT room_id, COUNT(*) AS n FROM outbox GROUP BY room_id", s -> { },
                r -> counts.put(RoomId.of(r.getString("room_id")), r.getLong("n"))));
        return counts;
    }

    @Override
    public boolean containsPending(BridgeMessageId messageId) {
        Objects.requireNonNull(messageId, "messageId");
        return jdbc.queryOne("check outbox", "SELECT 1 FROM outbox WHERE message_id = ? FETCH FIRST 1 ROWS ONLY",
                s -> s.setString(1, messageId.value()), r -> Boolean.TRUE).isPresent();
    }
}
