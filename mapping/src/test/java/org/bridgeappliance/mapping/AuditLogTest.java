package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    @Test
    void recentIsNewestFirstAndPaged() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            AuditLog log = db.auditLog();
            for (int i = 0; i < 5; i++) {
                log.record("admin", "room.update", "room-" + i, "renamed " + i);
            }
            List<AuditEntry> all = log.recent(0, 10);
            assertEquals(List.of("room-4", "room-3", "room-2", "room-1", "room-0"),
                    all.stream().map(AuditEntry::target).toList());
            assertTrue(all.get(0).id() > all.get(1).id());
            assertTrue(!all.get(0).at().isBefore(all.get(4).at()));
            assertEquals("admin", all.get(0).actor());
            assertEquals("room.update", all.get(0).action());
            assertEquals("renamed 4", all.get(0).detail());

            assertEquals(List.of("room-2", "room-1"), log.recent(2, 2).stream().map(AuditEntry::target).toList());
            assertEquals(List.of(), log.recent(5, 10));
            assertEquals(List.of(), log.recent(0, 0));
            assertThrows(IllegalArgumentException.class, () -> log.recent(-1, 1));
            assertThrows(IllegalArgumentException.class, () -> log.recent(0, 1001));
        }
    }

    @Test
    void overlongValuesAreShortenedNotRefused() {
        try (MappingDatabase db = TestDatabases.fresh(getClass())) {
            AuditLog log = db.auditLog();
            log.record("a".repeat(500), "b".repeat(500), "c".repeat(5000), "\uD83D\uDE00".repeat(3000));
            AuditEntry entry = log.recent(0, 1).get(0);
            assertEquals(JdbcAuditLog.MAX_ACTOR, entry.actor().length());
            assertEquals(JdbcAuditLog.MAX_ACTION, entry.action().length());
            assertEquals(JdbcAuditLog.MAX_TARGET, entry.target().length());
            assertTrue(entry.detail().length() <= JdbcAuditLog.MAX_DETAIL);
            assertTrue(entry.detail().endsWith("\u2026"));
            assertTrue(entry.detail().codePoints().noneMatch(cp -> Character.isSurrogate((char) cp)),
                    "no surrogate pair cut in half");
        }
    }
}
