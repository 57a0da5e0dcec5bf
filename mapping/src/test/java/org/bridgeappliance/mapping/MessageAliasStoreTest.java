package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageAliasStoreTest {
    static final Portal ROOM = Portal.of("xmpp", "room@conference.xmpp.test");
    static final Portal OTHER_ROOM = Portal.of("xmpp", "other@conference.xmpp.test");
    static final UserRef ALICE = UserRef.of("xmpp", "alice@xmpp.test");
    static final UserRef MALLORY = UserRef.of("xmpp", "mallory@xmpp.test");

    static RemoteMessageId id(String value) {
        return RemoteMessageId.of(value);
    }

    @Test
    void anAliasResolvesOnlyForItsPortalAndAuthor() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            MessageAliasStore aliases = db.stores().aliases();
            aliases.alias(ROOM, ALICE, id("a1"), id("room-sid-1"));

            assertEquals(Optional.of(id("room-sid-1")), aliases.resolve(ROOM, ALICE, id("a1")));
            // A second sender reusing the id must never reach alice's message.
            assertEquals(Optional.empty(), aliases.resolve(ROOM, MALLORY, id("a1")));
            assertEquals(Optional.empty(), aliases.resolve(OTHER_ROOM, ALICE, id("a1")));
            assertEquals(Optional.empty(), aliases.resolve(ROOM, ALICE, id("a2")));

            aliases.alias(ROOM, MALLORY, id("a1"), id("room-sid-9"));
            assertEquals(Optional.of(id("room-sid-1")), aliases.resolve(ROOM, ALICE, id("a1")));
            assertEquals(Optional.of(id("room-sid-9")), aliases.resolve(ROOM, MALLORY, id("a1")));
        }
    }

    @Test
    void oneRowPerKeyTheNewestCanonicalIdWinsAndTheDatabaseRefusesDuplicates() throws Exception {
        JdbcConnectionPool pool = H2DataSources.inMemory("alias-unique");
        try (MappingDatabase db = MappingDatabase.open(pool, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            MessageAliasStore aliases = db.stores().aliases();
            aliases.alias(ROOM, ALICE, id("a1"), id("room-sid-1"));
            aliases.alias(ROOM, ALICE, id("a1"), id("room-sid-1"));
            aliases.alias(ROOM, ALICE, id("a1"), id("room-sid-5"));

            assertEquals(Optional.of(id("room-sid-5")), aliases.resolve(ROOM, ALICE, id("a1")));
            assertEquals(1, countRows(pool));

            // The unique key itself, not only the store's update-first logic, keeps one row per key.
            String insert = "INSERT INTO message_alias (network, remote_room, author_network, author_id, alias_id,"
                    + " canonical_id) VALUES ('xmpp', '" + ROOM.room().value() + "', 'xmpp', '"
                    + ALICE.user().value() + "', 'a1', 'other')";
            Jdbc jdbc = new Jdbc(pool);
            assertThrows(StoreConflictException.class, () -> jdbc.update("duplicate alias", insert, s -> { }));
            assertEquals(1, countRows(pool));
        } finally {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            pool.dispose();
        }
    }

    @Test
    void overlongValuesAreRefusedClearly() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            MessageAliasStore aliases = db.stores().aliases();
            assertThrows(IllegalArgumentException.class,
                    () -> aliases.alias(ROOM, ALICE, id("x".repeat(1025)), id("s")));
            assertThrows(IllegalArgumentException.class,
                    () -> aliases.alias(ROOM, ALICE, id("a"), id("s".repeat(1025))));
            assertThrows(IllegalArgumentException.class,
                    () -> aliases.resolve(ROOM, UserRef.of("xmpp", "u".repeat(1025)), id("a")));
        }
    }

    @Test
    void aliasesSurviveReopeningTheFile(@TempDir Path dir) {
        try (MappingDatabase file = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            file.stores().aliases().alias(ROOM, ALICE, id("a1"), id("room-sid-1"));
        }
        try (MappingDatabase reopened = MappingDatabase.openH2File(dir,
                new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            MessageAliasStore aliases = reopened.stores().aliases();
            assertEquals(Optional.of(id("room-sid-1")), aliases.resolve(ROOM, ALICE, id("a1")));
            assertEquals(Optional.empty(), aliases.resolve(ROOM, MALLORY, id("a1")));
        }
    }

    private static int countRows(JdbcConnectionPool pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM message_alias")) {
            r.next();
            return r.getInt(1);
        }
    }
}
