package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.IdentityLinkStore;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * Identity links in {@code identity_link}, each also written as two rows of
 * {@code identity_link_side} (one per account) whose unique key enforces one link per account per
 * other network.
 */
final class JdbcIdentityLinkStore implements IdentityLinkStore {
    private final Jdbc jdbc;
    private final Clock clock;

    JdbcIdentityLinkStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public IdentityLink link(UserRef first, UserRef second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        Jdbc.limit(first.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Jdbc.limit(second.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Instant now = Jdbc.dbPrecision(clock.instant());
        // Validates (two different networks) before anything is written.
        new IdentityLink(0, first, second, now);
        try {
            return jdbc.inTransaction("link identities", c -> {
                long id = Jdbc.insertReturningKey(c, "INSERT INTO identity_link (first_network, first_user,"
                        + " second_network, second_user, created_at) VALUES (?, ?, ?, ?, ?)", "id", s -> {
                            s.setString(1, first.network().value());
                            s.setString(2, first.user().value());
                            s.setString(3, second.network().value());
                            s.setString(4, second.user().value());
                            Jdbc.setInstant(s, 5, now);
                        });
                insertSide(c, id, first, second);
                insertSide(c, id, second, first);
                return new IdentityLink(id, first, second, now);
            });
        } catch (StoreConflictException e) {
            throw new StoreConflictException(first + " or " + second + " is already linked on the other's network", e);
        }
    }

    private static void insertSide(Connection c, long id, UserRef account, UserRef other) throws SQLException {
        Jdbc.update(c, "INSERT INTO identity_link_side (link_id, network, user_id, other_network, other_user)"
                + " VALUES (?, ?, ?, ?, ?)", s -> {
                    s.setLong(1, id);
                    s.setString(2, account.network().value());
                    s.setString(3, account.user().value());
                    s.setString(4, other.network().value());
                    s.setString(5, other.user().value());
                });
    }

    @Override
    public boolean unlink(long id) {
        return jdbc.inTransaction("unlink identities", c -> {
            Jdbc.update(c, "DELETE FROM identity_link_side WHERE link_id = ?", s -> s.setLong(1, id));
            return Jdbc.update(c, "DELETE FROM identity_link WHERE id = ?", s -> s.setLong(1, id)) > 0;
        });
    }

    @Override
    public Optional<UserRef> linkedAccount(UserRef person, Network network) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(network, "network");
        return jdbc.queryOne("find linked account", "SELECT other_network, other_user FROM identity_link_side"
                + " WHERE network = ? AND user_id = ? AND other_network = ?", s -> {
                    s.setString(1, person.network().value());
                    s.setString(2, person.user().value());
                    s.setString(3, network.value());
                }, r -> new UserRef(Network.of(r.getString("other_network")),
                        RemoteUserId.of(r.getString("other_user"))));
    }

    @Override
    public List<IdentityLink> all() {
        return jdbc.query("list identity links", "SELECT id, first_network, first_user, second_network, second_user,"
                + " created_at FROM identity_link ORDER BY id", s -> { }, r -> new IdentityLink(
                        r.getLong("id"),
                        new UserRef(Network.of(r.getString("first_network")), RemoteUserId.of(r.getString("first_user"))),
                        new UserRef(Network.of(r.getString("second_network")),
                                RemoteUserId.of(r.getString("second_user"))),
                        Jdbc.getInstant(r, "created_at")));
    }
}
