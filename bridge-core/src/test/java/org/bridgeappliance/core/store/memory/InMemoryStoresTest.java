package org.bridgeappliance.core.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.StoreConflictException;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.Test;

class InMemoryStoresTest {
    private static final Portal X = Portal.of("xmpp", "room@muc");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice");
    private static final UserRef BOB = UserRef.of("xmpp", "bob");
    private static final RoomId ROOM = RoomId.of("r1");
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private final BridgeStores stores = InMemoryStores.create();

    private static MessageMapping copy(String message, Portal portal, UserRef author, String remoteId, int part) {
        return new MessageMapping(BridgeMessageId.of(message), ROOM, portal, author, RemoteMessageId.of(remoteId), part,
                false, T);
    }

    @Test
    void messageMapIsUniquePerPortalAuthorIdAndPart() {
        stores.messages().record(List.of(copy("m1", X, ALICE, "id1", 0), copy("m1", X, ALICE, "id1", 1)));
        assertThrows(StoreConflictException.class, () -> stores.messages().record(List.of(copy("m2", X, ALICE, "id1", 0))));
        // the same id by another author, or in another portal, is another message
        stores.messages().record(List.of(copy("m3", X, BOB, "id1", 0)));
        stores.messages().record(List.of(copy("m4", M, ALICE, "id1", 0)));
        assertEquals(Optional.of(BridgeMessageId.of("m1")), stores.messages().findByAuthor(X, ALICE, RemoteMessageId.of("id1")));
        assertEquals(Optional.of(BridgeMessageId.of("m3")), stores.messages().findByAuthor(X, BOB, RemoteMessageId.of("id1")));
        assertEquals(3, stores.messages().findInPortal(X, RemoteMessageId.of("id1")).size());
    }

    @Test
    void messageMapRecordIsAllOrNothing() {
        stores.messages().record(List.of(copy("m1", X, ALICE, "id1", 0)));
        assertThrows(StoreConflictException.class, () -> stores.messages().record(List.of(copy("m2", M, ALICE, "new", 0),
                copy("m2", X, ALICE, "id1", 0))));
        assertTrue(stores.messages().copies(BridgeMessageId.of("m2")).isEmpty());
        assertThrows(StoreConflictException.class, () -> stores.messages().record(List.of(copy("m5", M, ALICE, "d", 0),
                copy("m6", M, ALICE, "d", 0))), "one key for two messages inside one batch");
        assertTrue(stores.messages().copies(BridgeMessageId.of("m5")).isEmpty());
    }

    @Test
    void recordingACopyAgainForTheSameMessageAddsOnlyWhatIsMissing() {
        // An adapter records part 0 early (the MUC reflected it); the router then records every part.
        stores.messages().record(List.of(copy("m1", X, ALICE, "id1", 0)));
        stores.messages().record(List.of(copy("m1", X, ALICE, "id1", 0), copy("m1", X, ALICE, "id1", 1),
                copy("m1", X, ALICE, "id1", 1)));
        assertEquals(2, stores.messages().copies(BridgeMessageId.of("m1")).size(), "parts 0 and 1, once each");
        assertThrows(StoreConflictException.class, () -> stores.messages().record(List.of(copy("m2", X, ALICE, "id1", 1))));
    }

    @Test
    void copiesListPartsInOrder() {
        stores.messages().record(List.of(copy("m1", M, ALICE, "p1", 1), copy("m1", M, ALICE, "p0", 0),
                copy("m1", X, ALICE, "o", 0)));
        List<MessageMapping> copies = stores.messages().copies(BridgeMessageId.of("m1"));
        List<MessageMapping> onMatrix = copies.stream().filter(c -> c.portal().equals(M)).toList();
        assertEquals(List.of("p0", "p1"), onMatrix.stream().map(c -> c.remoteId().value()).toList());
    }

    @Test
    void roomDirectoryKeepsPortalsInOneRoom() {
        BridgedRoom room = stores.rooms().create("lobby", List.of(X, M), true);
        assertEquals(Optional.of(room), stores.rooms().findByPortal(X));
        assertThrows(StoreConflictException.class, () -> stores.rooms().create("other", List.of(M), true));
        BridgedRoom renamed = stores.rooms().update(new BridgedRoom(room.id(), "renamed", List.of(X), false));
        assertEquals(Optional.empty(), stores.rooms().findByPortal(M));
        assertFalse(stores.rooms().find(room.id()).orElseThrow().enabled());
        assertEquals(renamed, stores.rooms().all().get(0));
        assertThrows(NoSuchElementException.class, () -> stores.rooms().update(new BridgedRoom(RoomId.of("nope"), "x",
                List.of(), true)));
        assertTrue(stores.rooms().delete(room.id()));
        assertFalse(stores.rooms().delete(room.id()));
        assertEquals(Optional.empty(), stores.rooms().findByPortal(X));
    }

    @Test
    void outboxKeepsOrderDoneMarksAndPendingIds() {
        var event = TestEvents.in(X).text("x1", "hi");
        OutboxEntry a = stores.outbox().append(ROOM, BridgeMessageId.of("a"), event);
        OutboxEntry b = stores.outbox().append(ROOM, BridgeMessageId.of("b"), event);
        assertTrue(a.sequence() < b.sequence());
        stores.outbox().markDone(a.sequence(), M);
        assertEquals(List.of(a.sequence(), b.sequence()), stores.outbox().pending().stream().map(OutboxEntry::sequence)
                .toList());
        assertEquals(Set.of(M), stores.outbox().pending().get(0).delivered());
        assertTrue(stores.outbox().containsPending(BridgeMessageId.of("a")));
        stores.outbox().complete(a.sequence());
        assertFalse(stores.outbox().containsPending(BridgeMessageId.of("a")));
        assertEquals(1, stores.outbox().pending().size());
    }

    @Test
    void puppetsAreUniquePerPersonAndPerPuppetId() {
        Network matrix = Network.of("matrix");
        Puppet p = new Puppet(ALICE, matrix, RemoteUserId.of("@_xmpp_alice:example"), Profile.named("Alice"), T);
        stores.puppets().save(p);
        assertThrows(StoreConflictException.class, () -> stores.puppets().save(new Puppet(BOB, matrix,
                RemoteUserId.of("@_xmpp_alice:example"), Profile.EMPTY, T)));
        Puppet renamed = new Puppet(ALICE, matrix, RemoteUserId.of("@_xmpp_alice2:example"), Profile.named("Al"),
                T.plusSeconds(1));
        stores.puppets().save(renamed);
        assertEquals(Optional.empty(), stores.puppets().findByPuppetId(matrix, RemoteUserId.of("@_xmpp_alice:example")));
        assertEquals(Optional.of(renamed), stores.puppets().find(ALICE, matrix));
        assertEquals(List.of(renamed), stores.puppets().search("AL", 0, 10));
        assertEquals(List.of(), stores.puppets().search("al", 1, 10));
    }

    @Test
    void identityLinksAndReactionsAndTransactions() {
        UserRef aliceMatrix = UserRef.of("matrix", "@alice:example");
        var link = stores.identities().link(ALICE, aliceMatrix);
        assertEquals(Optional.of(aliceMatrix), stores.identities().linkedAccount(ALICE, Network.of("matrix")));
        assertEquals(Optional.of(ALICE), stores.identities().linkedAccount(aliceMatrix, Network.of("xmpp")));
        assertThrows(StoreConflictException.class, () -> stores.identities().link(ALICE, UserRef.of("matrix", "@a2:example")));
        assertTrue(stores.identities().unlink(link.id()));

        ReactionMapping r = new ReactionMapping(BridgeMessageId.of("m1"), M, ALICE, "👍", RemoteMessageId.of("$r"));
        stores.reactions().record(r);
        assertEquals(Optional.of(r), stores.reactions().find(BridgeMessageId.of("m1"), M, ALICE, "👍"));
        assertEquals(List.of(r), stores.reactions().byReactor(BridgeMessageId.of("m1"), M, ALICE));
        assertTrue(stores.reactions().remove(BridgeMessageId.of("m1"), M, ALICE, "👍"));
        assertFalse(stores.reactions().remove(BridgeMessageId.of("m1"), M, ALICE, "👍"));

        assertFalse(stores.transactions().isProcessed("matrix", "txn1"));
        stores.transactions().markProcessed("matrix", "txn1");
        stores.transactions().markProcessed("matrix", "txn1");
        assertTrue(stores.transactions().isProcessed("matrix", "txn1"));
        assertFalse(stores.transactions().isProcessed("other", "txn1"));
    }
}
