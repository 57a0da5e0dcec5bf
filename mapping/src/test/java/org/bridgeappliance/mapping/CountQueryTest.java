package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/**
 * The exact totals behind the admin UI's paging: puppets by query and network, audit entries by filter, counted
 * by the database (and, for puppets, the same answers from the in-memory store's default methods).
 */
class CountQueryTest {
    private static final Network MATRIX = Network.of("matrix");
    private static final Network XMPP = Network.of("xmpp");
    /** More than one page of the store (1000), so a page-sized guess would be wrong. */
    private static final int MANY = 1203;

    @Test
    void puppetsAreCountedAndPagedByQueryAndNetworkInTheDatabase() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            check(db.stores().puppets());
        }
    }

    @Test
    void theInMemoryStoreAnswersTheSame() {
        check(InMemoryStores.create().puppets());
    }

    private static void check(PuppetStore puppets) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        for (int i = 0; i < MANY; i++) {
            puppets.save(new Puppet(UserRef.of("xmpp", "user" + i + "@xmpp.test"), MATRIX,
                    RemoteUserId.of("@_xmpp_user" + i + ":matrix.test"), Profile.named("User " + i), t.plusSeconds(i)));
        }
        puppets.save(new Puppet(UserRef.of("matrix", "@carol:matrix.test"), XMPP,
                RemoteUserId.of("carol=matrix.test@bridge.xmpp.test"), Profile.named("Carol 100%"), t));
        assertEquals(MANY + 1, puppets.count("", Optional.empty()));
        assertEquals(MANY, puppets.count("", Optional.of(MATRIX)));
        assertEquals(1, puppets.count("", Optional.of(XMPP)));
        assertEquals(1, puppets.count("100%", Optional.empty()), "% matches literally");
        assertEquals(0, puppets.count("carol", Optional.of(MATRIX)));
        // user1, user10..user19, user100..user199, user1000..user1202
        assertEquals(1 + 10 + 100 + 203, puppets.count("user1", Optional.of(MATRIX)));

        List<Puppet> last = puppets.search("", Optional.of(MATRIX), MANY - 3, 10);
        assertEquals(3, last.size(), "the last page of the network's puppets");
        assertTrue(last.stream().allMatch(p -> p.network().equals(MATRIX)));
        assertEquals("@_xmpp_user0:matrix.test", last.get(2).puppetId().value(), "newest first: the oldest is last");
        assertEquals(List.of("carol=matrix.test@bridge.xmpp.test"), puppets.search("", Optional.of(XMPP), 0, 10)
                .stream().map(p -> p.puppetId().value()).toList());
    }

    @Test
    void auditEntriesAreCountedAndPagedByFilterInTheDatabase() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            AuditLog log = db.auditLog();
            Instant before = Instant.now().minusSeconds(1);
            for (int i = 0; i < MANY; i++) {
                log.record(i % 3 == 0 ? "root" : "ops", i % 2 == 0 ? "room.create" : "room.update", "room:r" + i, "");
            }
            log.record("ops", "identity-link.create", "identity-link:7", "a = b");
            assertEquals(MANY + 1, log.count(AuditLog.Filter.ALL));
            assertEquals(401, log.count(new AuditLog.Filter("root", null, null, null, null)));
            assertEquals(602, log.count(new AuditLog.Filter(null, "room.create", null, null, null)));
            assertEquals(201, log.count(new AuditLog.Filter("root", "room.create", null, null, null)));
            assertEquals(1, log.count(new AuditLog.Filter(null, null, "IDENTITY-link", null, null)), "case-insensitive");
            assertEquals(MANY + 1, log.count(new AuditLog.Filter(null, null, null, before, null)));
            assertEquals(0, log.count(new AuditLog.Filter(null, null, null, null, before)));

            List<AuditEntry> page = log.search(new AuditLog.Filter("root", "room.create", null, null, null), 200, 10);
            assertEquals(1, page.size(), "the 201st of 201");
            assertEquals("room:r0", page.get(0).target(), "newest first: the first entry is last");
            assertEquals("identity-link:7", log.search(AuditLog.Filter.ALL, 0, 1).get(0).target());
        }
    }
}
