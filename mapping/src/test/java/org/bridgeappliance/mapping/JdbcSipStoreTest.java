package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SIP adapter's offline queue and room members (migrations V8, V9). */
class JdbcSipStoreTest {
    private final JdbcConnectionPool pool = H2DataSources.inMemory("sip" + System.nanoTime());
    private final JdbcSipStore store;

    JdbcSipStoreTest() {
        SchemaMigrations.migrate(pool);
        store = new JdbcSipStore(pool, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        pool.dispose();
    }

    private JdbcSipStore.Pending p(String recipient, String body, Instant expires) {
        return new JdbcSipStore.Pending(0, recipient, "sip:c*matrix.test@matrix.bridge.sip.test", "Carol", body,
                "matrix:@c:matrix.test", Instant.parse("2026-01-01T00:00:00Z"), expires, Optional.empty());
    }

    @Test
    void queueKeepsOrderPerRecipientAndExpires() {
        Instant later = Instant.parse("2030-01-01T00:00:00Z");
        long a = store.enqueue(p("erin@sip.test", "héllo ✓ 1", later));
        store.enqueue(p("frank@sip.test", "x", Instant.parse("2026-01-02T00:00:00Z")));
        long c = store.enqueue(p("erin@sip.test", "2", later));
        assertEquals(List.of("héllo ✓ 1", "2"),
                store.pendingFor("erin@sip.test", 10).stream().map(JdbcSipStore.Pending::body).toList());
        assertEquals(List.of("erin@sip.test", "frank@sip.test"), store.recipients(10));
        assertEquals(List.of("frank@sip.test"), store.expired(Instant.parse("2027-01-01T00:00:00Z"), 10).stream()
                .map(JdbcSipStore.Pending::recipient).toList());
        assertTrue(store.delete(a));
        assertFalse(store.delete(a));
        assertEquals(c, store.pendingFor("erin@sip.test", 10).get(0).id());
    }

    @Test
    void theOutcomeKeyHasItsOwnColumnBesideTheAuthor() {
        String key = "1 m-1 sip dm:sip:erin@sip.test sip:c*matrix.test@matrix.bridge.sip.test";
        JdbcSipStore.Pending plain = p("erin@sip.test", "a", Instant.parse("2030-01-01T00:00:00Z"));
        store.enqueue(plain);
        store.enqueue(new JdbcSipStore.Pending(0, plain.recipient(), plain.fromUri(), plain.fromName(), "b",
                plain.author(), plain.createdAt(), plain.expiresAt(), Optional.of(key)));
        List<JdbcSipStore.Pending> read = store.pendingFor("erin@sip.test", 10);
        assertEquals(List.of(Optional.empty(), Optional.of(key)), read.stream().map(JdbcSipStore.Pending::outcomeKey)
                .toList());
        assertEquals(List.of("matrix:@c:matrix.test", "matrix:@c:matrix.test"), read.stream()
                .map(JdbcSipStore.Pending::author).toList());
    }

    /** Rows queued under V8 kept the key in the author column; V9 moves it to outcome_key. */
    @Test
    void v9MovesTheKeyOutOfTheAuthorOfRowsQueuedUnderV8() throws SQLException {
        JdbcConnectionPool old = H2DataSources.inMemory("sipv8" + System.nanoTime());
        try {
            SchemaMigrations.migrate(old, "8");
            try (Connection c = old.getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO sip_offline_queue (recipient, from_uri, from_name, body, author,"
                        + " created_at, expires_at) VALUES ('erin@sip.test', 'sip:x@matrix.d', 'X', 'keyed',"
                        + " 'outcome 0 m-2 sip dm:a b', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00',"
                        + " TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00+00')");
                st.executeUpdate("INSERT INTO sip_offline_queue (recipient, from_uri, from_name, body, author,"
                        + " created_at, expires_at) VALUES ('erin@sip.test', 'sip:x@matrix.d', 'X', 'plain',"
                        + " 'xmpp:bob@xmpp.test', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00',"
                        + " TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00+00')");
            }
            int afterV8 = SchemaMigrations.MIGRATIONS.size()
                    - SchemaMigrations.MIGRATIONS.indexOf("V8__sip_adapter.sql") - 1;
            assertEquals(afterV8, SchemaMigrations.migrate(old), "V9 and every later migration");
            List<JdbcSipStore.Pending> read = new JdbcSipStore(old, Clock.systemUTC()).pendingFor("erin@sip.test", 10);
            assertEquals(List.of(Optional.of("0 m-2 sip dm:a b"), Optional.empty()), read.stream()
                    .map(JdbcSipStore.Pending::outcomeKey).toList());
            assertEquals(List.of("unknown", "xmpp:bob@xmpp.test"), read.stream().map(JdbcSipStore.Pending::author)
                    .toList());
        } finally {
            old.dispose();
        }
    }

    @Test
    void aliasesAreUniqueBothWaysAndReplaceable() {
        assertTrue(store.setAlias("lobby", "8001"));
        assertEquals(Optional.of("lobby"), store.roomOfAlias("8001"));
        assertEquals(Optional.of("8001"), store.aliasOf("lobby"));
        assertFalse(store.setAlias("other", "8001"), "another room's alias");
        assertTrue(store.setAlias("lobby", "8001"), "the same again");
        assertTrue(store.setAlias("lobby", "8002"), "replaces its old alias");
        assertEquals(Optional.empty(), store.roomOfAlias("8001"));
        assertTrue(store.setAlias("other", "8001"));
        assertTrue(store.removeAlias("lobby"));
        assertFalse(store.removeAlias("lobby"));
        assertEquals(Optional.empty(), store.aliasOf("lobby"));
        assertEquals(Optional.of("other"), store.roomOfAlias("8001"));
    }

    @Test
    void personAliasesAreUniqueBothWaysAndReplaceable() {
        JdbcSipStore.Person carol = new JdbcSipStore.Person("matrix", "@carol:matrix.test");
        JdbcSipStore.Person bob = new JdbcSipStore.Person("xmpp", "bob@xmpp.test");
        assertTrue(store.setPersonAlias(carol, "7001"));
        assertEquals(Optional.of(carol), store.personOfAlias("7001"));
        assertEquals(Optional.of("7001"), store.aliasOfPerson(carol));
        assertFalse(store.setPersonAlias(bob, "7001"), "another person's alias");
        assertTrue(store.setPersonAlias(carol, "7001"), "the same again");
        assertTrue(store.setPersonAlias(carol, "7002"), "replaces the old alias");
        assertEquals(Optional.empty(), store.personOfAlias("7001"));
        assertTrue(store.setPersonAlias(bob, "7001"));
        assertEquals(Optional.empty(), store.aliasOfPerson(new JdbcSipStore.Person("xmpp", "@carol:matrix.test")),
                "the network is part of the person");
        assertTrue(store.removePersonAlias(carol));
        assertFalse(store.removePersonAlias(carol));
        assertEquals(Optional.empty(), store.aliasOfPerson(carol));
        assertEquals(Optional.of(bob), store.personOfAlias("7001"));
    }

    @Test
    void reactionsAreShownUntilSwitchedOffPerRoom() {
        assertTrue(store.reactionsShown("lobby"));
        store.setReactionsShown("lobby", false);
        store.setReactionsShown("lobby", false); // idempotent
        assertFalse(store.reactionsShown("lobby"));
        assertTrue(store.reactionsShown("other"));
        store.setReactionsShown("lobby", true);
        assertTrue(store.reactionsShown("lobby"));
    }

    @Test
    void members() {
        assertTrue(store.addMember("lobby", "erin@sip.test"));
        assertFalse(store.addMember("lobby", "erin@sip.test"));
        store.addMember("lobby", "frank@sip.test");
        assertEquals(Set.of("erin@sip.test", "frank@sip.test"), store.members("lobby"));
        assertTrue(store.removeMember("lobby", "erin@sip.test"));
        assertFalse(store.removeMember("lobby", "erin@sip.test"));
        assertEquals(Set.of("frank@sip.test"), store.members("lobby"));
    }
}
