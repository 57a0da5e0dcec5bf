package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SIP adapter's offline queue and room members (migration V8). */
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
                "matrix:@c:matrix.test", Instant.parse("2026-01-01T00:00:00Z"), expires);
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
