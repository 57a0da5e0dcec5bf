package org.bridgeappliance.mapping;

import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puppets in {@code puppet}, unique per (person, network) and per (network, puppet id). */
final class JdbcPuppetStore implements PuppetStore {
    static final int MAX_DISPLAY_NAME_LENGTH = 1024;
    static final int MAX_AVATAR_LENGTH = 2048;
    static final int MAX_QUERY_LENGTH = 256;
    static final int MAX_PAGE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcPuppetStore.class);
    private static final String COLUMNS = "person_network, person_id, network, puppet_id, display_name, avatar_uri,"
            + " updated_at";

    private final Jdbc jdbc;

    JdbcPuppetStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void save(Puppet puppet) {
        Objects.requireNonNull(puppet, "puppet");
        Jdbc.limit(puppet.person().network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        Jdbc.limit(puppet.network().value(), JdbcRoomDirectory.MAX_NETWORK_LENGTH, "network name");
        String displayName = puppet.profile().displayName().orElse(null);
        String avatar = puppet.profile().avatar().map(URI::toString).orElse(null);
        if (displayName != null) {
            Jdbc.limit(displayName, MAX_DISPLAY_NAME_LENGTH, "display name");
        }
        if (avatar != null) {
            Jdbc.limit(avatar, MAX_AVATAR_LENGTH, "avatar URI");
        }
        // Portable upsert, as in JdbcReactionStore. A conflict on the second attempt is real: the
        // puppet id belongs to another person's puppet.
        for (int attempt = 0; ; attempt++) {
            int updated = jdbc.update("save puppet", "UPDATE puppet SET puppet_id = ?, display_name = ?, avatar_uri = ?,"
                    + " updated_at = ? WHERE person_network = ? AND person_id = ? AND network = ?", s -> {
                        s.setString(1, puppet.puppetId().value());
                        setNullable(s, 2, displayName);
                        setNullable(s, 3, avatar);
                        Jdbc.setInstant(s, 4, puppet.updatedAt());
                        s.setString(5, puppet.person().network().value());
                        s.setString(6, puppet.person().user().value());
                        s.setString(7, puppet.network().value());
                    });
            if (updated > 0) {
                return;
            }
            try {
                jdbc.update("save puppet", "INSERT INTO puppet (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)", s -> {
                    s.setString(1, puppet.person().network().value());
                    s.setString(2, puppet.person().user().value());
                    s.setString(3, puppet.network().value());
                    s.setString(4, puppet.puppetId().value());
                    setNullable(s, 5, displayName);
                    setNullable(s, 6, avatar);
                    Jdbc.setInstant(s, 7, puppet.updatedAt());
                });
                return;
            } catch (StoreConflictException e) {
                if (attempt > 0 || find(puppet.person(), puppet.network()).isEmpty()) {
                    throw new StoreConflictException("puppet id " + puppet.puppetId() + " on " + puppet.network()
                            + " already belongs to another person", e);
                }
            }
        }
    }

    @Override
    public Optional<Puppet> find(UserRef person, Network network) {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(network, "network");
        return jdbc.queryOne("find puppet", "SELECT " + COLUMNS + " FROM puppet"
                + " WHERE person_network = ? AND person_id = ? AND network = ?", s -> {
                    s.setString(1, person.network().value());
                    s.setString(2, person.user().value());
                    s.setString(3, network.value());
                }, JdbcPuppetStore::map);
    }

    @Override
    public Optional<Puppet> findByPuppetId(Network network, RemoteUserId puppetId) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(puppetId, "puppetId");
        return jdbc.queryOne("find puppet", "SELECT " + COLUMNS + " FROM puppet WHERE network = ? AND puppet_id = ?",
                s -> {
                    s.setString(1, network.value());
                    s.setString(2, puppetId.value());
                }, JdbcPuppetStore::map);
    }

    @Override
    public List<Puppet> search(String query, int offset, int limit) {
        return search(query, Optional.empty(), offset, limit);
    }

    @Override
    public List<Puppet> search(String query, Optional<Network> network, int offset, int limit) {
        Objects.requireNonNull(network, "network");
        String pattern = pattern(query);
        if (offset < 0 || limit < 0 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be >= 0 and limit in 0.." + MAX_PAGE);
        }
        if (limit == 0) {
            return List.of();
        }
        return jdbc.query("search puppets", "SELECT " + COLUMNS + " FROM puppet" + where(network)
                + " ORDER BY updated_at DESC, puppet_id, id OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", s -> {
                    int i = bindWhere(s, pattern, network);
                    s.setInt(i, offset);
                    s.setInt(i + 1, limit);
                }, JdbcPuppetStore::map);
    }

    /** {@inheritDoc} Counted by the database. */
    @Override
    public long count(String query, Optional<Network> network) {
        Objects.requireNonNull(network, "network");
        String pattern = pattern(query);
        return jdbc.queryOne("count puppets", "SELECT COUNT(*) FROM puppet" + where(network),
                s -> bindWhere(s, pattern, network), r -> r.getLong(1)).orElse(0L);
    }

    /** The query as a LIKE pattern with an explicit escape character, so '%' and '_' in it match literally. */
    private static String pattern(String query) {
        Objects.requireNonNull(query, "query");
        Jdbc.limit(query, MAX_QUERY_LENGTH, "search query");
        return "%" + query.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    private static String where(Optional<Network> network) {
        return " WHERE (LOWER(person_id) LIKE ? ESCAPE '!' OR LOWER(puppet_id) LIKE ? ESCAPE '!'"
                + " OR LOWER(display_name) LIKE ? ESCAPE '!')" + (network.isPresent() ? " AND network = ?" : "");
    }

    /** Binds {@link #where}'s parameters; returns the next parameter index. */
    private static int bindWhere(java.sql.PreparedStatement s, String pattern, Optional<Network> network)
            throws SQLException {
        s.setString(1, pattern);
        s.setString(2, pattern);
        s.setString(3, pattern);
        if (network.isPresent()) {
            s.setString(4, network.get().value());
            return 5;
        }
        return 4;
    }

    private static void setNullable(java.sql.PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }

    private static Puppet map(ResultSet r) throws SQLException {
        String avatar = r.getString("avatar_uri");
        Optional<URI> avatarUri = Optional.empty();
        if (avatar != null) {
            try {
                avatarUri = Optional.of(new URI(avatar));
            } catch (URISyntaxException e) {
                // Written from a URI, so only a hand-edited row gets here: show no avatar rather than fail.
                LOG.warn("Ignoring unparsable stored avatar URI of a puppet on {}", r.getString("network"));
            }
        }
        return new Puppet(
                new UserRef(Network.of(r.getString("person_network")), RemoteUserId.of(r.getString("person_id"))),
                Network.of(r.getString("network")),
                RemoteUserId.of(r.getString("puppet_id")),
                new Profile(Optional.ofNullable(r.getString("display_name")), avatarUri),
                Jdbc.getInstant(r, "updated_at"));
    }
}
