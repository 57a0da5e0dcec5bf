package org.bridgeappliance.mapping;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The SIP adapter's durable state in the tables of migrations V8, V9, V13 and V14: {@code sip_offline_queue}
 * (MESSAGE parts waiting for an unregistered phone), {@code sip_room_member}, {@code sip_room_alias} and
 * {@code sip_person_alias} and {@code sip_room_reactions_off}. Plain values in and out, so that the mapping
 * module needs nothing from the adapter; the appliance adapts it to the adapter's {@code SipStore}.
 * Thread-safe; durable when a method returns.
 */
public final class JdbcSipStore {
    /**
     * One queued MESSAGE part (see the adapter's {@code SipStore.Pending}); {@code outcomeKey} is empty when nobody
     * awaits the row's outcome (column {@code outcome_key}, V9, NULL then).
     */
    public record Pending(long id, String recipient, String fromUri, String fromName, String body, String author,
                          Instant createdAt, Instant expiresAt, Optional<String> outcomeKey) {
    }

    private final Jdbc jdbc;
    private final Clock clock;

    public JdbcSipStore(DataSource dataSource, Clock clock) {
        this.jdbc = new Jdbc(dataSource);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public long enqueue(Pending p) {
        return jdbc.withConnection("queue a SIP message", c -> Jdbc.insertReturningKey(c,
                "INSERT INTO sip_offline_queue (recipient, from_uri, from_name, body, author, created_at, expires_at,"
                        + " outcome_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "id", s -> {
                    s.setString(1, Jdbc.limit(p.recipient(), 1024, "recipient"));
                    s.setString(2, Jdbc.limit(p.fromUri(), 1024, "from uri"));
                    s.setString(3, p.fromName().length() > 256 ? p.fromName().substring(0, 256) : p.fromName());
                    s.setString(4, Jdbc.limit(p.body(), 4096, "body"));
                    s.setString(5, p.author().length() > 1100 ? p.author().substring(0, 1100) : p.author());
                    Jdbc.setInstant(s, 6, Jdbc.dbPrecision(p.createdAt()));
                    Jdbc.setInstant(s, 7, Jdbc.dbPrecision(p.expiresAt()));
                    s.setString(8, p.outcomeKey().map(k -> Jdbc.limit(k, 1100, "outcome key")).orElse(null));
                }));
    }

    public List<Pending> pendingFor(String recipient, int limit) {
        return jdbc.withConnection("read the SIP queue", c -> Jdbc.query(c,
                "SELECT * FROM sip_offline_queue WHERE recipient = ? ORDER BY id LIMIT ?", s -> {
                    s.setString(1, recipient);
                    s.setInt(2, limit);
                }, JdbcSipStore::pending));
    }

    public List<String> recipients(int limit) {
        return jdbc.withConnection("read the SIP queue", c -> Jdbc.query(c,
                "SELECT recipient, MIN(id) AS first_id FROM sip_offline_queue GROUP BY recipient ORDER BY first_id"
                        + " LIMIT ?", s -> s.setInt(1, limit), row -> row.getString("recipient")));
    }

    public boolean delete(long id) {
        return jdbc.update("delete a SIP queue entry", "DELETE FROM sip_offline_queue WHERE id = ?",
                s -> s.setLong(1, id)) > 0;
    }

    public List<Pending> expired(Instant now, int limit) {
        return jdbc.withConnection("read the SIP queue", c -> Jdbc.query(c,
                "SELECT * FROM sip_offline_queue WHERE expires_at < ? ORDER BY id LIMIT ?", s -> {
                    Jdbc.setInstant(s, 1, now);
                    s.setInt(2, limit);
                }, JdbcSipStore::pending));
    }

    public Set<String> members(String slug) {
        return new HashSet<>(jdbc.withConnection("read SIP room members", c -> Jdbc.query(c,
                "SELECT person FROM sip_room_member WHERE room_slug = ?", s -> s.setString(1, slug),
                row -> row.getString("person"))));
    }

    public boolean addMember(String slug, String person) {
        return jdbc.withConnection("add a SIP room member", c -> {
            if (!Jdbc.query(c, "SELECT person FROM sip_room_member WHERE room_slug = ? AND person = ?", s -> {
                s.setString(1, slug);
                s.setString(2, person);
            }, row -> row.getString(1)).isEmpty()) {
                return false;
            }
            try {
                return Jdbc.update(c, "INSERT INTO sip_room_member (room_slug, person, joined_at) VALUES (?, ?, ?)",
                        s -> {
                            s.setString(1, Jdbc.limit(slug, 64, "room slug"));
                            s.setString(2, Jdbc.limit(person, 1024, "person"));
                            Jdbc.setInstant(s, 3, Jdbc.dbPrecision(clock.instant()));
                        }) > 0;
            } catch (java.sql.SQLException e) {
                if (Jdbc.isConstraintViolation(e)) {
                    return false; // a concurrent #join won
                }
                throw e;
            }
        });
    }

    public boolean removeMember(String slug, String person) {
        return jdbc.update("remove a SIP room member", "DELETE FROM sip_room_member WHERE room_slug = ? AND person = ?",
                s -> {
                    s.setString(1, slug);
                    s.setString(2, person);
                }) > 0;
    }

    public Optional<String> roomOfAlias(String alias) {
        return jdbc.withConnection("read a SIP room alias", c -> Jdbc.query(c,
                "SELECT room_slug FROM sip_room_alias WHERE alias = ?", s -> s.setString(1, alias),
                row -> row.getString(1))).stream().findFirst();
    }

    public Optional<String> aliasOf(String slug) {
        return jdbc.withConnection("read a SIP room alias", c -> Jdbc.query(c,
                "SELECT alias FROM sip_room_alias WHERE room_slug = ?", s -> s.setString(1, slug),
                row -> row.getString(1))).stream().findFirst();
    }

    /** Gives {@code slug} the alias (replacing its old one) in one transaction; false if another room has it. */
    public boolean setAlias(String slug, String alias) {
        return jdbc.withConnection("set a SIP room alias", c -> {
            List<String> owner = Jdbc.query(c, "SELECT room_slug FROM sip_room_alias WHERE alias = ?",
                    s -> s.setString(1, alias), row -> row.getString(1));
            if (!owner.isEmpty()) {
                return owner.get(0).equals(slug);
            }
            Jdbc.update(c, "DELETE FROM sip_room_alias WHERE room_slug = ?", s -> s.setString(1, slug));
            try {
                return Jdbc.update(c, "INSERT INTO sip_room_alias (alias, room_slug) VALUES (?, ?)", s -> {
                    s.setString(1, Jdbc.limit(alias, 16, "alias"));
                    s.setString(2, Jdbc.limit(slug, 64, "room slug"));
                }) > 0;
            } catch (java.sql.SQLException e) {
                if (Jdbc.isConstraintViolation(e)) {
                    return false; // a concurrent call took the alias
                }
                throw e;
            }
        });
    }

    public boolean removeAlias(String slug) {
        return jdbc.update("remove a SIP room alias", "DELETE FROM sip_room_alias WHERE room_slug = ?",
                s -> s.setString(1, slug)) > 0;
    }

    /** A Matrix or XMPP person a numeric alias names (columns of {@code sip_person_alias}, V14). */
    public record Person(String network, String user) {
    }

    public Optional<Person> personOfAlias(String alias) {
        return jdbc.withConnection("read a SIP person alias", c -> Jdbc.query(c,
                "SELECT network, person FROM sip_person_alias WHERE alias = ?", s -> s.setString(1, alias),
                row -> new Person(row.getString(1), row.getString(2)))).stream().findFirst();
    }

    public Optional<String> aliasOfPerson(Person person) {
        return jdbc.withConnection("read a SIP person alias", c -> Jdbc.query(c,
                "SELECT alias FROM sip_person_alias WHERE network = ? AND person = ?", s -> {
                    s.setString(1, person.network());
                    s.setString(2, person.user());
                }, row -> row.getString(1))).stream().findFirst();
    }

    /** Gives {@code person} the alias (replacing their old one) in one transaction; false if another has it. */
    public boolean setPersonAlias(Person person, String alias) {
        return jdbc.withConnection("set a SIP person alias", c -> {
            List<Person> owner = Jdbc.query(c, "SELECT network, person FROM sip_person_alias WHERE alias = ?",
                    s -> s.setString(1, alias), row -> new Person(row.getString(1), row.getString(2)));
            if (!owner.isEmpty()) {
                return owner.get(0).equals(person);
            }
            Jdbc.update(c, "DELETE FROM sip_person_alias WHERE network = ? AND person = ?", s -> {
                s.setString(1, person.network());
                s.setString(2, person.user());
            });
            try {
                return Jdbc.update(c, "INSERT INTO sip_person_alias (alias, network, person) VALUES (?, ?, ?)",
                        s -> {
                            s.setString(1, Jdbc.limit(alias, 16, "alias"));
                            s.setString(2, Jdbc.limit(person.network(), 32, "network"));
                            s.setString(3, Jdbc.limit(person.user(), 1024, "person"));
                        }) > 0;
            } catch (java.sql.SQLException e) {
                if (Jdbc.isConstraintViolation(e)) {
                    return false; // a concurrent call took the alias
                }
                throw e;
            }
        });
    }

    public boolean removePersonAlias(Person person) {
        return jdbc.update("remove a SIP person alias", "DELETE FROM sip_person_alias WHERE network = ? AND person = ?",
                s -> {
                    s.setString(1, person.network());
                    s.setString(2, person.user());
                }) > 0;
    }

    /** True unless room {@code slug}'s reactions are switched off ({@code sip_room_reactions_off}, V14). */
    public boolean reactionsShown(String slug) {
        return jdbc.withConnection("read a SIP room's reactions switch", c -> Jdbc.query(c,
                "SELECT room_slug FROM sip_room_reactions_off WHERE room_slug = ?", s -> s.setString(1, slug),
                row -> row.getString(1))).isEmpty();
    }

    public void setReactionsShown(String slug, boolean shown) {
        jdbc.inTransaction("set a SIP room's reactions switch", c -> {
            Jdbc.update(c, "DELETE FROM sip_room_reactions_off WHERE room_slug = ?", s -> s.setString(1, slug));
            if (!shown) {
                Jdbc.update(c, "INSERT INTO sip_room_reactions_off (room_slug) VALUES (?)",
                        s -> s.setString(1, Jdbc.limit(slug, 64, "room slug")));
            }
            return null;
        });
    }

    private static Pending pending(java.sql.ResultSet row) throws java.sql.SQLException {
        return new Pending(row.getLong("id"), row.getString("recipient"), row.getString("from_uri"),
                row.getString("from_name"), row.getString("body"), row.getString("author"),
                Jdbc.getInstant(row, "created_at"), Jdbc.getInstant(row, "expires_at"), 
                Optional.ofNullable(row.getString("outcome_key")));
    }
}
