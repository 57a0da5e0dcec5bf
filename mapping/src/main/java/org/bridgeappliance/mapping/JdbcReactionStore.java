package org.bridgeappliance.mapping;

import java.sql.PreparedStatement;
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
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.ReactionStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** Reactions in {@code reaction}, unique per (message, portal, reactor, key). */
final class JdbcReactionStore implements ReactionStore {
    static final int MAX_KEY_LENGTH = 256;

    private static final String KEY_WHERE = "message_id = ? AND network = ? AND remote_room = ?"
            + " AND reactor_network = ? AND reactor_id = ?";

    private final Jdbc jdbc;

    JdbcReactionStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(ReactionMapping reaction) {
        Objects.requireNonNull(reaction, "reaction");
        Jdbc.limit(reaction.key(), MAX_KEY_LENGTH, "reaction key");
        Jdbc.limit(reaction.portal().network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Jdbc.limit(reaction.reactor().network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        // Update-then-insert is the portable upsert (MERGE differs between H2 and PostgreSQL). Two
        // writers racing on a new reaction: the loser's insert hits the unique key and it updates.
        for (int attempt = 0; ; attempt++) {
            if (updateRemoteId(reaction) > 0) {
                return;
            }
            try {
                jdbc.update("record reaction", "INSERT INTO reaction (message_id, network, remote_room,"
                        + " reactor_network, reactor_id, reaction_key, remote_id) VALUES (?, ?, ?, ?, ?, ?, ?)", s -> {
                            bindKey(s, reaction.messageId(), reaction.portal(), reaction.reactor());
                            s.setString(6, reaction.key());
                            s.setString(7, reaction.remoteId().value());
                        });
                return;
            } catch (StoreConflictException e) {
                if (attempt > 0) {
                    throw e;
                }
            }
        }
    }

    private int updateRemoteId(ReactionMapping reaction) {
        return jdbc.update("record reaction", "UPDATE reaction SET remote_id = ? WHERE " + KEY_WHERE
                + " AND reaction_key = ?", s -> {
                    s.setString(1, reaction.remoteId().value());
                    bindKey(s, 1, reaction.messageId(), reaction.portal(), reaction.reactor());
                    s.setString(7, reaction.key());
                });
    }

    @Override
    public Optional<ReactionMapping> find(BridgeMessageId messageId, Portal portal, UserRef reactor, String key) {
        Objects.requireNonNull(key, "key");
        return jdbc.queryOne("find reaction", "SELECT * FROM reaction WHERE " + KEY_WHERE + " AND reaction_key = ?",
                s -> {
                    bindKey(s, messageId, portal, reactor);
                    s.setString(6, key);
                },
                JdbcReactionStore::map);
    }

    @Override
    public List<ReactionMapping> byReactor(BridgeMessageId messageId, Portal portal, UserRef reactor) {
        return jdbc.query("find reactions", "SELECT * FROM reaction WHERE " + KEY_WHERE + " ORDER BY reaction_key, id",
                s -> bindKey(s, messageId, portal, reactor),
                JdbcReactionStore::map);
    }

    @Override
    public Optional<ReactionMapping> findByRemoteId(Portal portal, RemoteMessageId remoteId) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(remoteId, "remoteId");
        // Several rows can share the id where a network has no own reaction ids; the oldest is returned.
        return jdbc.queryOne("find reaction by remote id", "SELECT * FROM reaction WHERE network = ? AND remote_room = ?"
                + " AND remote_id = ? ORDER BY id FETCH FIRST 1 ROWS ONLY", s -> {
                    s.setString(1, portal.network().value());
                    s.setString(2, portal.room().value());
                    s.setString(3, remoteId.value());
                },
                JdbcReactionStore::map);
    }

    @Override
    public boolean remove(BridgeMessageId messageId, Portal portal, UserRef reactor, String key) {
        Objects.requireNonNull(key, "key");
        return jdbc.update("remove reaction", "DELETE FROM reaction WHERE " + KEY_WHERE + " AND reaction_key = ?", s -> {
            bindKey(s, messageId, portal, reactor);
            s.setString(6, key);
        }) > 0;
    }

    private static void bindKey(PreparedStatement s, BridgeMessageId messageId, Portal portal, UserRef reactor)
            throws SQLException {
        bindKey(s, 0, messageId, portal, reactor);
    }

    /** Binds the five columns of {@link #KEY_WHERE} at parameters offset+1 .. offset+5. */
    private static void bindKey(PreparedStatement s, int offset, BridgeMessageId messageId, Portal portal,
                                UserRef reactor) throws SQLException {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(reactor, "reactor");
        s.setString(offset + 1, messageId.value());
        s.setString(offset + 2, portal.network().value());
        s.setString(offset + 3, portal.room().value());
        s.setString(offset + 4, reactor.network().value());
        s.setString(offset + 5, reactor.user().value());
    }

    private static ReactionMapping map(ResultSet r) throws SQLException {
        return new ReactionMapping(
                BridgeMessageId.of(r.getString("message_id")),
                new Portal(Network.of(r.getString("network")), RemoteRoomId.of(r.getString("remote_room"))),
                new UserRef(Network.of(r.getString("reactor_network")), RemoteUserId.of(r.getString("reactor_id"))),
                r.getString("reaction_key"),
                RemoteMessageId.of(r.getString("remote_id")));
    }
}
