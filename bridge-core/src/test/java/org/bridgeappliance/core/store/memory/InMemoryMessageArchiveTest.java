package org.bridgeappliance.core.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;

class InMemoryMessageArchiveTest {
    private static final RoomId ROOM = RoomId.of("r1");
    private static final RoomId OTHER = RoomId.of("r2");
    private static final UserRef ALICE = UserRef.of("matrix", "@alice:m.test");
    private static final UserRef BOB = UserRef.of("xmpp", "bob@x.test");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MessageArchive archive = new InMemoryMessageArchive();

    private static ArchivedMessage msg(RoomId room, String id, UserRef author, int second, String text) {
        return ArchivedMessage.of(BridgeMessageId.of(id), room, author, "n-" + id, T0.plusSeconds(second),
                MessageKind.TEXT, MessageBody.plain(text));
    }

    private static List<String> ids(List<ArchivedMessage> list) {
        return list.stream().map(m -> m.id().value()).toList();
    }

    private void fill() {
        for (int i = 1; i <= 10; i++) {
            archive.append(msg(ROOM, "m" + i, i % 2 == 0 ? ALICE : BOB, i * 10, "text " + i));
            archive.append(msg(OTHER, "o" + i, ALICE, i * 10, "other " + i));
        }
    }

    @Test
    void newestSinceAndAnchorsArePerRoomAndInArchiveOrder() {
        fill();
        assertEquals(List.of("m8", "m9", "m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 3))));
        assertEquals(List.of("m5", "m6"), ids(archive.query(ArchiveQuery.since(ROOM, T0.plusSeconds(50), 2))));
        ArchiveQuery all = ArchiveQuery.newest(ROOM, 100);
        assertEquals(List.of("m3", "m4"), ids(archive.query(all.after(BridgeMessageId.of("m2")).limit(2)
                .from(ArchiveQuery.End.OLDEST))));
        assertEquals(List.of("m4", "m5"), ids(archive.query(all.before(BridgeMessageId.of("m6")).limit(2))));
        assertEquals(List.of("m3", "m4", "m5"), ids(archive.query(all.after(BridgeMessageId.of("m2"))
                .before(BridgeMessageId.of("m6")))));
        assertEquals(List.of("m2", "m4"), ids(archive.query(all.withAuthor(ALICE).withEnd(T0.plusSeconds(40)))));
        assertEquals(List.of(), archive.query(all.after(BridgeMessageId.of("o1"))), "an anchor of another room");
        assertEquals(List.of(), archive.query(all.before(BridgeMessageId.of("nope"))), "an unknown anchor");
    }

    @Test
    void appendIsIdempotentEditReplacesAndRetractLeavesTombstone() {
        fill();
        assertFalse(archive.append(msg(ROOM, "m3", BOB, 999, "replaced?")));
        assertEquals("text 3", archive.find(BridgeMessageId.of("m3")).orElseThrow().body().plain());

        Instant at = T0.plusSeconds(500);
        assertTrue(archive.edit(BridgeMessageId.of("m3"), MessageBody.html("new", "<b>new</b>"), at));
        ArchivedMessage edited = archive.find(BridgeMessageId.of("m3")).orElseThrow();
        assertEquals(MessageBody.html("new", "<b>new</b>"), edited.body());
        assertEquals(Optional.of(at), edited.editedAt());

        assertTrue(archive.retract(BridgeMessageId.of("m9")));
        assertFalse(archive.edit(BridgeMessageId.of("m9"), MessageBody.plain("back"), at), "tombstones stay");
        assertEquals(List.of("m7", "m8", "m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 3))));
        List<ArchivedMessage> withTombstones = archive.query(ArchiveQuery.newest(ROOM, 3).includeRetracted(true));
        assertEquals(List.of("m8", "m9", "m10"), ids(withTombstones));
        assertTrue(withTombstones.get(1).retracted());
        assertEquals("", withTombstones.get(1).body().plain());
        assertEquals(List.of("m10"), ids(archive.query(ArchiveQuery.newest(ROOM, 5)
                .after(BridgeMessageId.of("m9")))), "a tombstone still anchors paging");
        assertFalse(archive.edit(BridgeMessageId.of("nope"), MessageBody.plain("x"), at));
        assertFalse(archive.retract(BridgeMessageId.of("nope")));
    }

    @Test
    void bodiesAreCappedAndLimitsChecked() {
        String big = "a".repeat(MessageArchive.MAX_BODY_CHARS - 1) + "\uD83D\uDE00" + "tail";
        ArchivedMessage m = ArchivedMessage.of(BridgeMessageId.of("big"), ROOM, ALICE, "x".repeat(1000), T0,
                MessageKind.NOTICE, MessageBody.html(big, "<p>" + big + "</p>"));
        assertEquals(MessageArchive.MAX_BODY_CHARS - 1, m.body().plain().length(), "no half surrogate pair kept");
        assertEquals(Optional.empty(), m.body().html(), "cut HTML is dropped, not kept broken");
        assertEquals(MessageArchive.MAX_NAME_CHARS, m.displayName().length());
        assertThrows(IllegalArgumentException.class, () -> ArchiveQuery.newest(ROOM, 0));
        assertThrows(IllegalArgumentException.class, () -> ArchiveQuery.newest(ROOM, MessageArchive.MAX_QUERY_LIMIT + 1));
    }

    @Test
    void forgetOlderThanRemovesOldMessages() {
        fill();
        assertEquals(8, archive.forgetOlderThan(T0.plusSeconds(45)));
        assertEquals(List.of("m5", "m6"), ids(archive.query(ArchiveQuery.newest(ROOM, 100).limit(2)
                .from(ArchiveQuery.End.OLDEST))));
    }
}
