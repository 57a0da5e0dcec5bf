package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.MessageArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageArchiveStoreTest {
    private static final RoomId ROOM = RoomId.of("r1");
    private static final RoomId OTHER = RoomId.of("r2");
    private static final UserRef ALICE = UserRef.of("matrix", "@alice:m.test");
    private static final UserRef BOB = UserRef.of("xmpp", "bob@x.test");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private MappingDatabase db;
    private MessageArchive archive;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        archive = db.stores().archive();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static ArchivedMessage msg(RoomId room, String id, UserRef author, int second, String text) {
        return ArchivedMessage.of(BridgeMessageId.of(id), room, author, "n-" + id, T0.plusSeconds(second),
                MessageKind.TEXT, MessageBody.plain(text));
    }

    private static List<String> ids(List<ArchivedMessage> list) {
        return list.stream().map(m -> m.id().value()).toList();
    }

    private void fill(MessageArchive target) {
        for (int i = 1; i <= 10; i++) {
            // Timestamps out of archive order for m5: order is acceptance order, not the origin's clock.
            int second = i == 5 ? 1 : i * 10;
            target.append(msg(ROOM, "m" + i, i % 2 == 0 ? ALICE : BOB, second, "text " + i));
            target.append(msg(OTHER, "o" + i, ALICE, i * 10, "other " + i));
        }
    }

    @Test
    void roundTripKeepsEveryField() {
        Instant at = Instant.parse("2026-01-01T00:00:00.123456Z");
        ArchivedMessage m = ArchivedMessage.of(BridgeMessageId.of("id-1"), ROOM, ALICE, "Alice \u00e9", at,
                MessageKind.EMOTE, MessageBody.html("waves *hi*", "waves <em>hi</em>"));
        assertTrue(archive.append(m));
        assertEquals(Optional.of(m), archive.find(m.id()));
        assertEquals(Optional.empty(), archive.find(BridgeMessageId.of("nope")));
    }

    @Test
    void queriesAreScopedByRoomOrderedAndLimited() {
        fill(archive);
        assertEquals(List.of("m8", "m9", "m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 3))));
        assertEquals(List.of("m1", "m2"), ids(archive.query(ArchiveQuery.newest(ROOM, 2).from(ArchiveQuery.End.OLDEST))));
        assertEquals(List.of("m6", "m7"), ids(archive.query(ArchiveQuery.since(ROOM, T0.plusSeconds(60), 2))));
        assertEquals(List.of("m1", "m2", "m3", "m4", "m6"),
                ids(archive.query(ArchiveQuery.since(ROOM, T0.plusSeconds(10), 5))), "m5's timestamp is earlier");
        ArchiveQuery all = ArchiveQuery.newest(ROOM, 100);
        assertEquals(List.of("m3", "m4"), ids(archive.query(all.after(BridgeMessageId.of("m2")).limit(2)
                .from(ArchiveQuery.End.OLDEST))));
        assertEquals(List.of("m4", "m5"), ids(archive.query(all.before(BridgeMessageId.of("m6")).limit(2))));
        assertEquals(List.of("m3", "m4", "m5"), ids(archive.query(all.after(BridgeMessageId.of("m2"))
                .before(BridgeMessageId.of("m6")))));
        assertEquals(List.of("m2", "m4"), ids(archive.query(all.withAuthor(ALICE).withEnd(T0.plusSeconds(40)))));
        assertEquals(List.of(), archive.query(all.after(BridgeMessageId.of("o1"))), "an anchor of another room");
        assertEquals(List.of(), archive.query(all.before(BridgeMessageId.of("nope"))), "an unknown anchor");
        assertEquals(10, archive.query(ArchiveQuery.newest(OTHER, MessageArchive.MAX_QUERY_LIMIT)).size());
    }

    @Test
    void appendIsIdempotentEditReplacesAndRetractLeavesATombstone() {
        fill(archive);
        assertFalse(archive.append(msg(ROOM, "m3", BOB, 999, "replaced?")));
        assertEquals("text 3", archive.find(BridgeMessageId.of("m3")).orElseThrow().body().plain());

        Instant at = T0.plusSeconds(500);
        assertTrue(archive.edit(BridgeMessageId.of("m3"), MessageBody.html("new", "<b>new</b>"), at));
        ArchivedMessage edited = archive.find(BridgeMessageId.of("m3")).orElseThrow();
        assertEquals(MessageBody.html("new", "<b>new</b>"), edited.body());
        assertEquals(Optional.of(at), edited.editedAt());
        assertTrue(archive.edit(BridgeMessageId.of("m3"), MessageBody.plain("newer"), at.plusSeconds(1)));
        assertEquals(MessageBody.plain("newer"), archive.find(BridgeMessageId.of("m3")).orElseThrow().body());

        assertTrue(archive.retract(BridgeMessageId.of("m9")));
        assertFalse(archive.edit(BridgeMessageId.of("m9"), MessageBody.plain("back"), at), "tombstones stay");
        assertEquals(List.of("m7", "m8", "m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 3))));
        List<ArchivedMessage> withTombstones = archive.query(ArchiveQuery.newest(ROOM, 3).includeRetracted(true));
        assertEquals(List.of("m8", "m9", "m10"), ids(withTombstones));
        assertTrue(withTombstones.get(1).retracted());
        assertEquals(MessageBody.plain(""), withTombstones.get(1).body());
        assertEquals(List.of("m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 5).after(BridgeMessageId.of("m9")))),
                "a tombstone still anchors paging");
        assertFalse(archive.edit(BridgeMessageId.of("nope"), MessageBody.plain("x"), at));
        assertFalse(archive.retract(BridgeMessageId.of("nope")));
    }

    @Test
    void largestBodiesFitAndOversizedIdsAreRefusedClearly() {
        String big = "\u00e9".repeat(MessageArchive.MAX_BODY_CHARS + 10);
        ArchivedMessage m = ArchivedMessage.of(BridgeMessageId.of("big"), ROOM, ALICE, "A", T0, MessageKind.TEXT,
                MessageBody.html(big.substring(0, MessageArchive.MAX_BODY_CHARS), big));
        assertTrue(archive.append(m));
        ArchivedMessage back = archive.find(m.id()).orElseThrow();
        assertEquals(MessageArchive.MAX_BODY_CHARS, back.body().plain().length());
        assertEquals(Optional.empty(), back.body().html(), "an HTML body over the cap is dropped");
        assertTrue(archive.edit(m.id(), MessageBody.plain(big), T0));
        assertEquals(MessageArchive.MAX_BODY_CHARS, archive.find(m.id()).orElseThrow().body().plain().length());
        assertThrows(IllegalArgumentException.class, () -> archive.append(msg(ROOM, "x".repeat(2000), ALICE, 1, "x")));
    }

    @Test
    void forgetOlderThanRemovesOldMessages() {
        fill(archive);
        assertEquals(9, archive.forgetOlderThan(T0.plusSeconds(45)), "m1..m4, m5 (second 1), o1..o4");
        assertEquals(List.of("m6", "m7"), ids(archive.query(ArchiveQuery.newest(ROOM, 2).from(ArchiveQuery.End.OLDEST))));
    }

    @Test
    void theArchiveSurvivesReopeningTheFile(@TempDir Path dir) {
        try (MappingDatabase file = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            fill(file.stores().archive());
            file.stores().archive().edit(BridgeMessageId.of("m10"), MessageBody.plain("edited"), T0);
            file.stores().archive().retract(BridgeMessageId.of("m9"));
        }
        try (MappingDatabase file = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            MessageArchive reopened = file.stores().archive();
            List<ArchivedMessage> last = reopened.query(ArchiveQuery.newest(ROOM, 2));
            assertEquals(List.of("m8", "m10"), ids(last));
            assertEquals("edited", last.get(1).body().plain());
            assertTrue(reopened.append(msg(ROOM, "m11", ALICE, 200, "after restart")));
            assertEquals(List.of("m10", "m11"), ids(reopened.query(ArchiveQuery.newest(ROOM, 100)
                    .after(BridgeMessageId.of("m8")))), "new messages order after the old ones");
        }
    }
}
