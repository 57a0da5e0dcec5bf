package org.bridgeappliance.mapping;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** Message aliases in {@code message_alias}, unique per (portal, author, alias); see the port. */
final class JdbcMessageAliasStore implements MessageAliasStore {
    static final int MAX_ID_LENGTH = 1024;

    private final Jdbc jdbc;

    JdbcMessageAliasStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void alias(Portal portal, UserRef author, RemoteMessageId alias, RemoteMessageId canonical) {
        check(portal, author, alias);
        Objects.requireNonNull(canonical, "canonical");
        Jdbc.limit(canonical.value(), MAX_ID_LENGTH, "canonical message id");
        // Update first, insert if absent; a concurrent insert of the same key hits the unique
        // constraint, and then the update wins (portable: no MERGE / ON CONFLICT dialects).
        if (update(portal, author, alias, canonical) > 0) {
            return;
        }
        try {
            jdbc.update("record message alias", "INSERT INTO message_alias (network, remote_room, author_network,"
                    + " author_id, alias_id, canonical_id) VALUES (?, ?, ?, ?, ?, ?)", s -> {
                        bindKey(s, portal, author, alias);
                        s.setString(6, canonical.value());
                    });
        } catch (StoreConflictException concurrent) {
            update(portal, author, alias, canonical);
        }
    }

    private int update(Portal portal, UserRef author, RemoteMessageId alias, RemoteMessageId canonical) {
        return jdbc.update("update message alias", "UPDATE message_alias SET canonical_id = ? WHERE network = ?"
                + " AND remote_room = ? AND author_network = ? AND author_id = ? AND alias_id = ?", s -> {
                    s.setString(1, canonical.value());
                    s.setString(2, portal.network().value());
                    s.setString(3, portal.room().value());
                    s.setString(4, author.network().value());
                    s.setString(5, author.user().value());
                    s.setString(6, alias.value());
                });
    }

    @Override
    public Optional<RemoteMessageId> resolve(Portal portal, UserRef author, RemoteMessageId alias) {
        check(portal, author, alias);
        return jdbc.queryOne("resolve message alias", "SELECT canonical_id FROM message_alias WHERE network = ?"
                        + " AND remote_room = ? AND author_network = ? AND author_id = ? AND alias_id = ?",
                s -> bindKey(s, portal, author, alias), r -> RemoteMessageId.of(r.getString(1)));
    }

    private static void bindKey(java.sql.PreparedStatement s, Portal portal, UserRef author, RemoteMessageId alias)
            throws java.sql.SQLException {
        s.setString(1, portal.network().value());
        s.setString(2, portal.room().value());
        s.setString(3, author.network().value());
        s.setString(4, author.user().value());
        s.setString(5, alias.value());
    }

    private static void check(Portal portal, UserRef author, RemoteMessageId alias) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(alias, "alias");
        Jdbc.limit(portal.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Jdbc.limit(portal.room().value(), MAX_ID_LENGTH, "remote room id");
        Jdbc.limit(author.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Jdbc.limit(author.user().value(), MAX_ID_LENGTH, "author id");
        Jdbc.limit(alias.value(), MAX_ID_LENGTH, "alias message id");
    }
}
