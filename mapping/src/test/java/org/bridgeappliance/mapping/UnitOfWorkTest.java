package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.StoreConflictException;
import org.bridgeappliance.core.store.UnitOfWork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDBC unit of work: the stores' calls inside {@code inOne} commit together or not at all, and a failed part
 * ({@code attempt}, a store's own transaction) undoes only itself, also on PostgreSQL (run with
 * {@code -Dmapping.test.postgresUrl}), where a failed statement would otherwise abort the whole transaction.
 */
class UnitOfWorkTest {
    private static final RoomId ROOM = RoomId.of("room-1");
    private static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    private static final Portal MATRIX = Portal.of("matrix", "!abc:example.org");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");

    private MappingDatabase db;
    private BridgeStores stores;
    private UnitOfWork unit;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        stores = db.stores();
        unit = stores.unitOfWork();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static MessageMapping copy(String messageId, Portal portal, String remoteId, int part, boolean origin) {
        return new MessageMapping(BridgeMessageId.of(messageId), ROOM, portal, ALICE, RemoteMessageId.of(remoteId),
                part, origin, T);
    }

    private static ArchivedMessage archived(String messageId) {
        return ArchivedMessage.of(BridgeMessageId.of(messageId), ROOM, ALICE, "alice", T, MessageKind.TEXT,
                MessageBody.plain("text of " + messageId));
    }

    private OutboxEntry append(String messageId) {
        return stores.outbox().append(ROOM, BridgeMessageId.of(messageId), TestEvents.full().get(0));
    }

    @Test
    void theCallsOfOneUnitCommitTogether() {
        OutboxEntry entry = unit.inOne(() -> {
            OutboxEntry e = append("m1");
            stores.messages().record(List.of(copy("m1", MUC, "sid-1", 0, true)));
            stores.archive().append(archived("m1"));
            // Read back inside the unit, on its connection.
            assertEquals(1, stores.messages().findInPortal(MUC, RemoteMessageId.of("sid-1")).size());
            return e;
        });
        assertEquals(List.of(entry.sequence()), stores.outbox().pending().stream().map(OutboxEntry::sequence).toList());
        assertEquals(1, stores.messages().copies(BridgeMessageId.of("m1")).size());
        assertTrue(stores.archive().find(BridgeMessageId.of("m1")).isPresent());
    }

    @Test
    void aUnitThatThrowsLeavesNothing() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> unit.inOne(() -> {
            append("m1");
            stores.messages().record(List.of(copy("m1", MUC, "sid-1", 0, true)));
            stores.archive().append(archived("m1"));
            throw new IllegalStateException("crash inside the unit");
        }));
        assertEquals("crash inside the unit", thrown.getMessage());
        assertEquals(List.of(), stores.outbox().pending());
        assertEquals(List.of(), stores.messages().copies(BridgeMessageId.of("m1")));
        assertTrue(stores.archive().find(BridgeMessageId.of("m1")).isEmpty());
    }

    @Test
    void aFailedPartUndoesOnlyItselfAndTheUnitStillCommits() {
        stores.messages().record(List.of(copy("other", MATRIX, "$taken", 0, false)));
        unit.inOne(() -> {
            append("m1");
            stores.messages().record(List.of(copy("m1", MUC, "sid-1", 0, true)));
            // The id is another message's: a conflict, handled by the caller, as the router's copy record does.
            assertThrows(StoreConflictException.class, () -> unit.attempt(() -> stores.messages().record(List.of(
                    copy("m1", MATRIX, "$taken", 0, false), copy("m1", MATRIX, "$new", 1, false)))));
            stores.archive().append(archived("m1"));
        });
        assertEquals(1, stores.outbox().pending().size());
        assertEquals(List.of(RemoteMessageId.of("sid-1")),
                stores.messages().copies(BridgeMessageId.of("m1")).stream().map(MessageMapping::remoteId).toList(),
                "the conflicting batch left nothing, the origin copy stays");
        assertTrue(stores.archive().find(BridgeMessageId.of("m1")).isPresent());
    }

    @Test
    void theMessageMapsSkipPathWorksInsideAUnit() {
        // An adapter recorded part 0 of the copy early; the delivery records parts 0 and 1: the insert conflicts
        // (rolled back to its savepoint) and the store's second pass skips the recorded row.
        stores.messages().record(List.of(copy("m1", MATRIX, "$part0", 0, false)));
        unit.inOne(() -> {
            append("m1");
            stores.messages().record(List.of(copy("m1", MATRIX, "$part0", 0, false), copy("m1", MATRIX, "$part1", 1,
                    false)));
        });
        assertEquals(2, stores.messages().copies(BridgeMessageId.of("m1")).size());
        assertEquals(1, stores.outbox().pending().size());
    }

    @Test
    void nestedUnitsJoinTheOuterOne() {
        assertThrows(IllegalStateException.class, () -> unit.inOne(() -> {
            unit.inOne(() -> append("m1"));
            throw new IllegalStateException("outer fails after the inner returned");
        }));
        assertEquals(List.of(), stores.outbox().pending(), "the inner unit committed nothing of its own");
    }

    @Test
    void outsideAUnitEveryCallStandsOnItsOwn() {
        assertEquals(7, unit.attempt(() -> 7));
        append("m1");
        assertEquals(1, stores.outbox().pending().size());
    }

    @Test
    void processedTransactionRecordsOfOneUnitCommitTogetherAndAnAlreadyRecordedIdDoesNotSpoilIt() {
        stores.transactions().markProcessed("matrix", "txn-1");
        assertThrows(IllegalStateException.class, () -> unit.inOne(() -> {
            stores.transactions().markProcessed("matrix", "txn-1#abc");
            stores.transactions().markProcessed("matrix", "txn-1");
            throw new IllegalStateException("fails after both");
        }));
        assertTrue(!stores.transactions().isProcessed("matrix", "txn-1#abc"), "nothing of the failed unit stays");
        unit.inOne(() -> {
            stores.transactions().markProcessed("matrix", "txn-1#abc");
            stores.transactions().markProcessed("matrix", "txn-1"); // recorded before: skipped, the unit commits
        });
        assertTrue(stores.transactions().isProcessed("matrix", "txn-1#abc"));
        assertTrue(stores.transactions().isProcessed("matrix", "txn-1"));
    }
}
