package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminUserStoreTest {
    private MappingDatabase db;
    private AdminUserStore admins;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        admins = db.adminUsers();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void createThenAuthenticate() {
        assertTrue(admins.isEmpty());
        AdminUser root = admins.create("Root", "correct horse".toCharArray());
        assertFalse(admins.isEmpty());
        assertEquals("Root", root.username());

        assertEquals(Optional.of(root), admins.authenticate("Root", "correct horse".toCharArray()));
        assertEquals(Optional.of(root), admins.authenticate("rOOT", "correct horse".toCharArray()),
                "usernames are case-insensitive");
        assertEquals(Optional.empty(), admins.authenticate("Root", "correct horsE".toCharArray()), "wrong password");
        assertEquals(Optional.empty(), admins.authenticate("nobody", "correct horse".toCharArray()), "unknown user");
        assertEquals(Optional.empty(), admins.authenticate("Root", new char[0]));
        assertEquals(Optional.empty(), admins.authenticate("Root", null));
        assertEquals(Optional.empty(), admins.authenticate(null, "x".toCharArray()));
        assertEquals(Optional.empty(), admins.authenticate("Root", new char[PasswordHasher.MAX_PASSWORD_LENGTH + 1]));
        assertEquals(Optional.empty(), admins.authenticate("bad\nname", "x".toCharArray()));
    }

    @Test
    void usernamesAreUniqueCaseInsensitively() {
        admins.create("Alice", "pw-1".toCharArray());
        assertThrows(StoreConflictException.class, () -> admins.create("ALICE", "pw-2".toCharArray()));
        assertThrows(StoreConflictException.class, () -> admins.create("alice", "pw-2".toCharArray()));
        assertEquals(List.of("Alice"), admins.all().stream().map(AdminUser::username).toList());
        assertTrue(admins.authenticate("alice", "pw-1".toCharArray()).isPresent(), "the first password still works");
    }

    @Test
    void theStoredHashIsSaltedPbkdf2NeverThePassword() {
        org.h2.jdbcx.JdbcConnectionPool pool = H2DataSources.inMemory("admin-hashes");
        try (MappingDatabase own = MappingDatabase.open(pool, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            own.adminUsers().create("a", "same-password".toCharArray());
            own.adminUsers().create("b", "same-password".toCharArray());
            List<String> hashes = new Jdbc(pool).query("read hashes",
                    "SELECT password_hash FROM admin_user ORDER BY id", s -> { }, r -> r.getString(1));
            assertEquals(2, hashes.size());
            hashes.forEach(h -> assertTrue(h.startsWith("pbkdf2-sha256$" + TestDatabases.TEST_ITERATIONS + "$"), h));
            hashes.forEach(h -> assertFalse(h.contains("same-password")));
            assertFalse(hashes.get(0).equals(hashes.get(1)), "salted");
        } finally {
            new Jdbc(pool).update("shutdown", "SHUTDOWN", s -> { });
            pool.dispose();
        }
    }

    @Test
    void changePasswordAndDelete() {
        admins.create("Alice", "old".toCharArray());
        admins.changePassword("ALICE", "new".toCharArray());
        assertEquals(Optional.empty(), admins.authenticate("alice", "old".toCharArray()));
        assertTrue(admins.authenticate("alice", "new".toCharArray()).isPresent());
        assertThrows(NoSuchElementException.class, () -> admins.changePassword("bob", "x".toCharArray()));

        assertTrue(admins.delete("aLiCe"));
        assertFalse(admins.delete("alice"));
        assertTrue(admins.isEmpty());
        assertEquals(Optional.empty(), admins.authenticate("alice", "new".toCharArray()));
    }

    @Test
    void badUsernamesAndPasswordsAreRefusedClearly() {
        for (String bad : Arrays.asList("", " lead", "trail ", "tab\there", "x".repeat(65))) {
            assertThrows(IllegalArgumentException.class, () -> admins.create(bad, "pw".toCharArray()), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> admins.create("ok", new char[0]));
        assertThrows(IllegalArgumentException.class,
                () -> admins.create("ok", new char[PasswordHasher.MAX_PASSWORD_LENGTH + 1]));
        assertTrue(admins.isEmpty());
        admins.create("with space \u00e9", "pw".toCharArray());
    }

    @Test
    void anUnknownUserCostsAsMuchAsAWrongPassword() {
        // Timing: the unknown-user path must spend a full PBKDF2 derivation (dummyVerify). With a
        // work factor high enough to dominate the database round trip, the medians are compared
        // with a wide margin so that scheduling noise on a busy machine does not fail the test.
        try (MappingDatabase slow = MappingDatabase.openH2InMemory("admin-timing", new PasswordHasher(100_000))) {
            AdminUserStore store = slow.adminUsers();
            store.create("alice", "pw".toCharArray());
            char[] wrong = "wrong".toCharArray();
            store.authenticate("alice", wrong); // warm-up
            store.authenticate("nobody", wrong);
            long[] known = new long[5];
            long[] unknown = new long[5];
            for (int i = 0; i < known.length; i++) {
                long t0 = System.nanoTime();
                store.authenticate("alice", wrong);
                long t1 = System.nanoTime();
                store.authenticate("nobody", wrong);
                long t2 = System.nanoTime();
                known[i] = t1 - t0;
                unknown[i] = t2 - t1;
            }
            Arrays.sort(known);
            Arrays.sort(unknown);
            long knownMedian = known[2];
            long unknownMedian = unknown[2];
            assertTrue(unknownMedian * 2 > knownMedian && knownMedian * 2 > unknownMedian,
                    "known " + knownMedian / 1000 + " us vs unknown " + unknownMedian / 1000 + " us");
        }
    }
}
