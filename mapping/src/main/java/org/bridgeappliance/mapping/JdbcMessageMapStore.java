package org.bridgeappliance.mapping;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.StoreConflictException;

/** The message id map in {@code message_map}; see the port for the scoping rules. */
final class JdbcMessageMapStore implements MessageMapStore {
    /** A batch is one message's copies and parts; more than this is a bug of the caller. */
    static final int MAX_BATCH = 1000;

    private static final String COLUMNS = "message_id, room_id, network, remote_room, author_network, author_id,"
            + " remote_id, part, origin, sent_at";

    private final Jdbc jdbc;

    JdbcMessageMapStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(List<MessageMapping> mappings) {
        Objects.requireNonNull(mappings, "mappings");
        if (mappings.isEmpty()) {
            return;
        }
        if (mappings.size() > MAX_BATCH) {
            throw new IllegalArgumentException("more than " + MAX_BATCH + " mappings in one batch");
        }
        for (MessageMapping m : mappings) {
            Objects.requireNonNull(m, "mapping");
            Jdbc.limit(m.portal().network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
            Jdbc.limit(m.author().network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        }
        // All or nothing: a half-recorded message would make later edits reach only some copies.
        try {
            insertAll(mappings, false);
        } catch (StoreConflictException e) {
            // Rare path: some rows are already there (an adapter recorded its copy early). Rows of the same
            // message are skipped; a row of another message is a real conflict. Checked per row in a fresh
            // transaction rather than by catching the insert's error, which PostgreSQL would not let the
            // transaction survive.
            insertAll(mappings, true);
        }
    }

    private void insertAll(List<MessageMapping> mappings, boolean skipRecorded) {
        jdbc.inTransaction("record message mappings", c -> {
            for (MessageMapping m : mappings) {
                if (skipRecorded) {
                    Optional<String> known = recordedMessage(c, m);
                    if (known.isPresent()) {
                        if (known.get().equals(m.messageId().value())) {
                            continue;
                        }
                        throw new StoreConflictException("message id " + m.remoteId()
                                + " part " + m.part() + " by " + m.author() + " already recorded in " + m.portal()
                                + " for another message");
                    }
                }
                Jdbc.update(c, "INSERT INTO message_map (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", s -> {
                    s.setString(1, m.messageId().value());
                    s.setString(2, m.room().value());
                    s.setString(3, m.portal().network().value());
                    s.setString(4, m.portal().room().value());
                    s.setString(5, m.author().network().value());
                    s.setString(6, m.author().user().value());
                    s.setString(7, m.remoteId().value());
                    s.setInt(8, m.part());
                    s.setBoolean(9, m.origin());
                    Jdbc.setInstant(s, 10, m.timestamp());
                });
            }
            return null;
        });
    }

    /** The canonical message recorded under {@code m}'s unique key, if any. */
    private static Optional<String> recordedMessage(java.sql.Connection c, MessageMapping m) throws SQLException {
        return Jdbc.query(c, "SELECT message_id FROM message_map WHERE network = ? AND remote_room = ?"
                        + " AND author_network = ? AND author_id = ? AND remote_id = ? AND part = ?",
                s -> {
                    s.setString(1, m.portal().network().value());
                    s.setString(2, m.portal().room().value());
                    s.setString(3, m.author().network().value());
                    s.setString(4, m.author().user().value());
                    s.setString(5, m.remoteId().value());
                    s.setInt(6, m.part());
                },
                r -> r.getString("message_id")).stream().findFirst();
    }

    @Override
    public Optional<BridgeMessageId> findByAuthor(Portal portal, UserRef author, RemoteMessageId remoteId) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(remoteId, "remoteId");
        return jdbc.queryOne("find message by author",
                "SELECT message_id FROM message_map WHERE network = ? AND remote_room = ? AND author_network = ?"
                        + " AND author_id = ? AND remote_id = ? ORDER BY part",
                s -> {
                    s.setString(1, portal.network().value());
                    s.setString(2, portal.room().value());
                    s.setString(3, author.network().value());
                    s.setString(4, author.user().value());
                    s.setString(5, remoteId.value());
                },
                r -> BridgeMessageId.of(r.getString("message_id")));
    }

    @Override
    public List<MessageMapping> findInPortal(Portal portal, RemoteMessageId remoteId) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(remoteId, "remoteId");
        return jdbc.query("find messages in portal",
                "SELECT " + COLUMNS + " FROM message_map WHERE network = ? AND remote_room = ? AND remote_id = ?"
                        + " ORDER BY id",
                s -> {
                    s.setString(1, portal.network().value());
                    s.setString(2, portal.room().value());
                    s.setString(3, remoteId.value());
                },
                JdbcMessageMapStore::map);
    }

    @Override
    public List<MessageMapping> copies(BridgeMessageId messageId) {
        Objects.requireNonNull(messageId, "messageId");
        return jdbc.query("find copies",
                "SELECT " + COLUMNS + " FROM message_map WHERE message_id = ? ORDER BY network, remote_room, part, id",
                s -> s.setString(1, messageId.value()),
                JdbcMessageMapStore::map);
    }

    private static MessageMapping map(ResultSet r) throws SQLException {
        return new MessageMapping(
                BridgeMessageId.of(r.getString("message_id")),
                RoomId.of(r.getString("room_id")),
                new Portal(Network.of(r.getString("network")), RemoteRoomId.of(r.getString("remote_room"))),
                new UserRef(Network.of(r.getString("author_network")), RemoteUserId.of(r.getString("author_id"))),
                RemoteMessageId.of(r.getString("remote_id")),
                r.getInt("part"),
                r.getBoolean("origin"),
                Jdbc.getInstant(r, "sent_at"));
    }

    @Override
    public List<RoomId> roomsWithCopiesBy(UserRef author, Network network, int limit) {
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(network, "network");
        return jdbc.query("list rooms of an author's copies", "SELECT DISTINCT room_id FROM message_map"
                + " WHERE network = ? AND author_network = ? AND author_id = ? AND origin = FALSE"
                + " FETCH FIRST ? ROWS ONLY", s -> {
                    s.setString(1, network.value());
                    s.setString(2, author.network().value());
                    s.setString(3, author.user().value());
                    s.setInt(4, limit);
                }, r -> RoomId.of(r.getString("room_id")));
    }
}
