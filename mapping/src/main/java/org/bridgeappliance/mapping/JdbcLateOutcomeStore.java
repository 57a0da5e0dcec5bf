package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.LateOutcomeStore;

/**
 * {@link LateOutcomeStore} in table {@code late_outcome} (V6), one row per (message, target portal).
 *
 * <p>Atomicity: each operation reads and writes its key in one transaction, and the instance serialises its
 * operations ({@code synchronized}): {@link MappingDatabase} is opened once per database, so that is every
 * writer of the table. Rows are small and few (only deliveries still awaiting a network's answer).
 */
final class JdbcLateOutcomeStore implements LateOutcomeStore {
    private static final int MAX_REASON = 1024;

    private final Jdbc jdbc;
    private final EventCodec codec;

    JdbcLateOutcomeStore(Jdbc jdbc, EventCodec codec) {
        this.jdbc = jdbc;
        this.codec = codec;
    }

    private record Row(String state, Optional<Pending> pending, String reason, Instant since, Instant settledAt) {
    }

    @Override
    public synchronized Optional<Outcome> await(Pending pending) {
        String json = codec.encode(pending.event()); // before any write: a too-large event is refused
        Portal target = pending.target();
        Jdbc.limit(target.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        return jdbc.inTransaction("record a pending delivery outcome", c -> {
            Optional<Row> row = find(c, pending.messageId(), target);
            if (row.isEmpty()) {
                Jdbc.update(c, "INSERT INTO late_outcome (message_id, network, remote_room, state, room_id, event_json,"
                        + " attempts, reason, since) VALUES (?, ?, ?, 'PENDING', ?, ?, ?, '', ?)", s -> {
                            key(s, pending.messageId(), target);
                            s.setString(4, pending.room().value());
                            s.setString(5, json);
                            s.setInt(6, pending.attempts());
                            Jdbc.setInstant(s, 7, pending.since());
                        });
                return Optional.<Outcome>empty();
            }
            String state = row.get().state();
            if (state.equals("EARLY_DELIVERED")) {
                delete(c, pending.messageId(), target);
                return Optional.of(Outcome.DELIVERED);
            }
            if (state.equals("EARLY_FAILED")) {
                Jdbc.update(c, "UPDATE late_outcome SET state = 'FAILED', room_id = ?, event_json = ?, attempts = ?,"
                        + " settled_at = since WHERE message_id = ? AND network = ? AND remote_room = ?", s -> {
                            s.setString(1, pending.room().value());
                            s.setString(2, json);
                            s.setInt(3, pending.attempts());
                            s.setString(4, pending.messageId().value());
                            s.setString(5, target.network().value());
                            s.setString(6, target.room().value());
                        });
                return Optional.of(Outcome.failed(row.get().reason()));
            }
            return Optional.<Outcome>empty();
        });
    }

    @Override
    public synchronized Optional<Failure> settle(BridgeMessageId messageId, Portal target, Outcome outcome,
                                                 Instant at) {
        Objects.requireNonNull(outcome, "outcome");
        Jdbc.limit(target.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        String reason = outcome.reason().length() > MAX_REASON ? outcome.reason().substring(0, MAX_REASON)
                : outcome.reason();
        return jdbc.inTransaction("settle a delivery outcome", c -> {
            Optional<Row> row = find(c, messageId, target);
            if (row.isEmpty()) {
                Jdbc.update(c, "INSERT INTO late_outcome (message_id, network, remote_room, state, attempts, reason,"
                        + " since) VALUES (?, ?, ?, ?, 0, ?, ?)", s -> {
                            key(s, messageId, target);
                            s.setString(4, outcome.delivered() ? "EARLY_DELIVERED" : "EARLY_FAILED");
                            s.setString(5, reason);
                            Jdbc.setInstant(s, 6, at);
                        });
                return Optional.<Failure>empty();
            }
            if (!row.get().state().equals("PENDING")) {
                return Optional.<Failure>empty();
            }
            if (outcome.delivered()) {
                delete(c, messageId, target);
                return Optional.<Failure>empty();
            }
            Jdbc.update(c, "UPDATE late_outcome SET state = 'FAILED', reason = ?, settled_at = ?"
                    + " WHERE message_id = ? AND network = ? AND remote_room = ?", s -> {
                        s.setString(1, reason);
                        Jdbc.setInstant(s, 2, at);
                        s.setString(3, messageId.value());
                        s.setString(4, target.network().value());
                        s.setString(5, target.room().value());
                    });
            return Optional.of(new Failure(row.get().pending().orElseThrow(), reason, Jdbc.dbPrecision(at)));
        });
    }

    @Override
    public synchronized List<Failure> unreported() {
        return jdbc.query("read unreported late failures", "SELECT * FROM late_outcome WHERE state = 'FAILED'"
                + " ORDER BY settled_at", s -> { }, this::row).stream()
                .map(r -> new Failure(r.pending().orElseThrow(), r.reason(), r.settledAt()))
                .toList();
    }

    @Override
    public synchronized void reported(BridgeMessageId messageId, Portal target) {
        jdbc.update("forget a reported late failure", "DELETE FROM late_outcome WHERE message_id = ? AND network = ?"
                + " AND remote_room = ? AND state = 'FAILED'", s -> key(s, messageId, target));
    }

    @Override
    public synchronized int forgetBefore(Instant cutoff) {
        return jdbc.update("forget old pending delivery outcomes", "DELETE FROM late_outcome WHERE state <> 'FAILED'"
                + " AND since < ?", s -> Jdbc.setInstant(s, 1, cutoff));
    }

    private Optional<Row> find(Connection c, BridgeMessageId messageId, Portal target) throws SQLException {
        return Jdbc.query(c, "SELECT * FROM late_outcome WHERE message_id = ? AND network = ? AND remote_room = ?",
                s -> key(s, messageId, target), this::row).stream().findFirst();
    }

    private static void delete(Connection c, BridgeMessageId messageId, Portal target) throws SQLException {
        Jdbc.update(c, "DELETE FROM late_outcome WHERE message_id = ? AND network = ? AND remote_room = ?",
                s -> key(s, messageId, target));
    }

    private static void key(java.sql.PreparedStatement s, BridgeMessageId messageId, Portal target)
            throws SQLException {
        s.setString(1, messageId.value());
        s.setString(2, target.network().value());
        s.setString(3, target.room().value());
    }

    private Row row(ResultSet r) throws SQLException {
        String json = r.getString("event_json");
        Instant since = Jdbc.getInstant(r, "since");
        Optional<Pending> pending = json == null ? Optional.empty() : Optional.of(new Pending(
                new BridgeMessageId(r.getString("message_id")), RoomId.of(r.getString("room_id")),
                new Portal(Network.of(r.getString("network")), RemoteRoomId.of(r.getString("remote_room"))),
                codec.decode(json), r.getInt("attempts"), since));
        return new Row(r.getString("state"), pending, r.getString("reason"), since, Jdbc.getInstant(r, "settled_at"));
    }
}
