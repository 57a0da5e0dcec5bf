package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MessageMapStoreTest {
    private static final RoomId ROOM = RoomId.of("room-1");
    private static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    private static final Portal OTHER_MUC = Portal.of("xmpp", "other@conference.example.org");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    private static final UserRef MALLORY = UserRef.of("xmpp", "mallory@example.org");
    /** Nanoseconds on purpose: the database keeps microseconds. */
    private static final Instant T = Instant.parse("2024-05-01T10:00:00.123456789Z");
    private static final Instant T_STORED = Instant.parse("2024-05-01T10:00:00.123456Z");

    private MappingDatabase db;
    private MessageMapStore messages;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        messages = db.stores().messages();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static MessageMapping copy(String messageId, Portal portal, UserRef author, String remoteId, int part,
                                       boolean origin) {
        return new MessageMapping(BridgeMessageId.of(messageId), ROOM, portal, author, RemoteMessageId.of(remoteId),
                part, origin, T);
    }

    @Test
    void recordsCopiesAndFindsThemBackInEveryDirection() {
        MessageMapping origin = copy("m1", MUC, ALICE, "origin-id-1", 0, true);
        MessageMapping part0 = copy("m1", MATRIX, ALICE, "$ev0", 0, false);
        MessageMapping part1 = copy("m1", MATRIX, ALICE, "$ev1", 1, false);
        messages.record(List.of(part1, origin, part0));

        assertEquals(Optional.of(BridgeMessageId.of("m1")),
                messages.findByAuthor(MUC, ALICE, RemoteMessageId.of("origin-id-1")));
        assertEquals(Optional.of(BridgeMessageId.of("m1")),
                messages.findByAuthor(MATRIX, ALICE, RemoteMessageId.of("$ev1")));
        List<MessageMapping> copies = messages.copies(BridgeMessageId.of("m1"));
        assertEquals(List.of(stored(part0), stored(part1), stored(origin)), copies,
                "ordered by portal, parts in order");
        assertEquals(T_STORED, copies.get(0).timestamp());
    }

    @Test
    void aSecondSenderReusingARemoteIdNeverReachesTheFirstSendersMessage() {
        messages.record(List.of(copy("m-alice", MUC, ALICE, "same-id", 0, true)));

        assertEquals(Optional.empty(), messages.findByAuthor(MUC, MALLORY, RemoteMessageId.of("same-id")),
                "Matterbridge #1396: a client-chosen id must not let Mallory edit Alice's message");

        messages.record(List.of(copy("m-mallory", MUC, MALLORY, "same-id", 0, true)));
        assertEquals(Optional.of(BridgeMessageId.of("m-alice")),
                messages.findByAuthor(MUC, ALICE, RemoteMessageId.of("same-id")));
        assertEquals(Optional.of(BridgeMessageId.of("m-mallory")),
                messages.findByAuthor(MUC, MALLORY, RemoteMessageId.of("same-id")));
        assertEquals(List.of("m-alice", "m-mallory"),
                messages.findInPortal(MUC, RemoteMessageId.of("same-id")).stream()
                        .map(m -> m.messageId().value()).toList(),
                "findInPortal returns every author's copy");
    }

    @Test
    void lookupsAreScopedByPortal() {
        messages.record(List.of(copy("m1", MUC, ALICE, "id-1", 0, true)));

        assertEquals(Optional.empty(), messages.findByAuthor(OTHER_MUC, ALICE, RemoteMessageId.of("id-1")));
        assertEquals(List.of(), messages.findInPortal(OTHER_MUC, RemoteMessageId.of("id-1")));
        assertEquals(List.of(), messages.findInPortal(MUC, RemoteMessageId.of("id-2")));
    }

    @Test
    void aDuplicateRowIsAConflictAndTheWholeBatchIsRolledBack() {
        messages.record(List.of(copy("m1", MUC, ALICE, "id-1", 0, true)));

        assertThrows(StoreConflictException.class, () -> messages.record(List.of(
                copy("m2", MATRIX, ALICE, "$new", 0, false),
                copy("m2", MUC, ALICE, "id-1", 0, true))));

        assertEquals(List.of(), messages.copies(BridgeMessageId.of("m2")), "nothing of the failed batch remains");
        assertEquals(Optional.empty(), messages.findByAuthor(MATRIX, ALICE, RemoteMessageId.of("$new")));
    }

    @Test
    void recordingACopyAgainForTheSameMessageAddsOnlyWhatIsMissing() {
        // The XMPP adapter records a MUC copy's part 0 when the room reflects it; the router then records the
        // whole receipt. Before, the router's batch failed as a conflict and parts 1.. were never recorded.
        messages.record(List.of(copy("m1", MUC, ALICE, "stanza-1", 0, false)));
        messages.record(List.of(copy("m1", MUC, ALICE, "stanza-1", 0, false), copy("m1", MUC, ALICE, "stanza-1", 1, false),
                copy("m1", MATRIX, ALICE, "$ev", 0, false)));

        assertEquals(3, messages.copies(BridgeMessageId.of("m1")).size());
        assertEquals(2, messages.findInPortal(MUC, RemoteMessageId.of("stanza-1")).size());
    }

    @Test
    void aRowOfAnotherMessageIsStillAConflictOnTheSlowPathAndNothingIsRecorded() {
        messages.record(List.of(copy("m1", MUC, ALICE, "stanza-1", 0, false)));

        assertThrows(StoreConflictException.class, () -> messages.record(List.of(
                copy("m2", MATRIX, ALICE, "$other", 0, false),
                copy("m2", MUC, ALICE, "stanza-1", 0, false))));
        assertEquals(List.of(), messages.copies(BridgeMessageId.of("m2")));
    }

    @Test
    void theSameRemoteIdWithAnotherPartIsNoConflict() {
        messages.record(List.of(copy("m1", MATRIX, ALICE, "$ev", 0, false), copy("m1", MATRIX, ALICE, "$ev", 1, false)));
        assertEquals(2, messages.findInPortal(MATRIX, RemoteMessageId.of("$ev")).size());
    }

    @Test
    void emptyBatchIsANoOpAndAnOversizedOneIsRefused() {
        messages.record(List.of());
        List<MessageMapping> tooMany = java.util.stream.IntStream.range(0, JdbcMessageMapStore.MAX_BATCH + 1)
                .mapToObj(i -> copy("m", MATRIX, ALICE, "$e", i, false)).toList();
        assertThrows(IllegalArgumentException.class, () -> messages.record(tooMany));
        assertEquals(List.of(), messages.copies(BridgeMessageId.of("m")));
    }

    private static MessageMapping stored(MessageMapping m) {
        return new MessageMapping(m.messageId(), m.room(), m.portal(), m.author(), m.remoteId(), m.part(), m.origin(),
                T_STORED);
    }
}
