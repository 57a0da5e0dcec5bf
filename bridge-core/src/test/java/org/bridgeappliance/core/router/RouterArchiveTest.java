package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageArchive;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router records every accepted message, edit and retraction of every network in the room's archive. */
class RouterArchiveTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    private Router router;

    @AfterEach
    void tearDown() {
        if (router != null) {
            router.close();
        }
    }

    private Router start(BridgeStores stores, RecordingAdapter... adapters) {
        router = new Router(stores, List.of(adapters), FAST, Clock.systemUTC());
        router.start();
        return router;
    }

    @Test
    void messagesOfEveryNetworkEditsAndRetractionsAreArchivedInAcceptanceOrder() {
        BridgeStores stores = InMemoryStores.create();
        BridgedRoom room = stores.rooms().create("lobby", List.of(X, M), true);
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        start(stores, xmpp, matrix);
        TestEvents alice = TestEvents.in(X).named("Alice");
        TestEvents bob = TestEvents.in(M).from("@bob:example").named("Bob");

        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "hello")));
        assertEquals(Acceptance.QUEUED, router.submit(bob.html("$m1", "hi *there*", "hi <em>there</em>")));
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x2", "typo")));
        assertEquals(Acceptance.QUEUED, router.submit(alice.edit("x3", "x2", "fixed")));
        assertEquals(Acceptance.QUEUED, router.submit(bob.retract("$m2", "$m1")));
        matrix.awaitDeliveries(3, T);

        List<ArchivedMessage> all = stores.archive().query(ArchiveQuery.newest(room.id(), 10).includeRetracted(true));
        assertEquals(3, all.size(), "messages only; edits and retractions change them: " + all);
        ArchivedMessage hello = all.get(0);
        assertEquals(alice.sender(), hello.author());
        assertEquals("Alice", hello.displayName());
        assertEquals("hello", hello.body().plain());
        assertEquals(room.id(), hello.room());
        Delivery first = matrix.deliveries().get(0);
        assertEquals(first.messageId(), hello.id(), "archived under the canonical id the deliveries carry");

        assertTrue(all.get(1).retracted());
        assertEquals(bob.sender(), all.get(1).author());
        assertEquals(MessageBody.plain("fixed"), all.get(2).body());
        assertTrue(all.get(2).editedAt().isPresent());
        assertEquals(List.of("hello", "fixed"), stores.archive().query(ArchiveQuery.newest(room.id(), 10)).stream()
                .map(m -> m.body().plain()).toList());
    }

    @Test
    void aFailingArchiveDoesNotStopDelivery() {
        BridgeStores memory = InMemoryStores.create();
        BridgeStores stores = new BridgeStores(memory.rooms(), memory.messages(), memory.reactions(), memory.outbox(),
                memory.puppets(), memory.identities(), memory.transactions(), new FailingArchive());
        stores.rooms().create("lobby", List.of(X, M), true);
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        start(stores, xmpp, matrix);
        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(X).text("x1", "still delivered")));
        assertEquals(1, matrix.awaitDeliveries(1, T).size());
    }

    @Test
    void oldArityStoreSetsHaveNoArchive() {
        BridgeStores memory = InMemoryStores.create();
        BridgeStores stores = new BridgeStores(memory.rooms(), memory.messages(), memory.reactions(), memory.outbox(),
                memory.puppets(), memory.identities(), memory.transactions());
        assertEquals(MessageArchive.NONE, stores.archive());
        assertTrue(stores.archive().append(ArchivedMessage.of(BridgeMessageId.of("a"),
                org.bridgeappliance.core.id.RoomId.of("r"), TestEvents.in(X).sender(), "", Instant.now(),
                org.bridgeappliance.core.model.MessageKind.TEXT, MessageBody.plain("x"))));
    }

    private static final class FailingArchive implements MessageArchive {
        @Override
        public boolean append(ArchivedMessage message) {
            throw new IllegalStateException("disk full");
        }

        @Override
        public Optional<ArchivedMessage> find(BridgeMessageId id) {
            return Optional.empty();
        }

        @Override
        public List<ArchivedMessage> query(ArchiveQuery query) {
            return List.of();
        }

        @Override
        public boolean edit(BridgeMessageId id, MessageBody newBody, Instant editedAt) {
            throw new IllegalStateException("disk full");
        }

        @Override
        public boolean retract(BridgeMessageId id) {
            throw new IllegalStateException("disk full");
        }

        @Override
        public int forgetOlderThan(Instant cutoff) {
            return 0;
        }
    }
}
