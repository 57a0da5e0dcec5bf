package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final Portal S = Portal.of("sip", "sip:room@bridge.example");
    /** Millisecond backoffs: 3 attempts, 5 ms doubling to 20 ms. */
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    private BridgeStores stores;
    private RecordingAdapter xmpp;
    private RecordingAdapter matrix;
    private RecordingAdapter sip;
    private BridgedRoom room;
    private Router router;
    private final List<Router> routers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        stores = InMemoryStores.create();
        xmpp = new RecordingAdapter("xmpp");
        matrix = new RecordingAdapter("matrix");
        sip = new RecordingAdapter("sip").withCapabilities(RoomCapabilities.PLAIN_TEXT);
        room = stores.rooms().create("lobby", List.of(X, M, S), true);
    }

    @AfterEach
    void tearDown() {
        routers.forEach(Router::close);
    }

    private Router start(RouterConfig config) {
        router = new Router(stores, List.of(xmpp, matrix, sip), config, Clock.systemUTC());
        routers.add(router);
        router.start();
        return router;
    }

    private static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static String text(Delivery d) {
        return ((MessageEvent) d.event()).body().plain();
    }

    // ----- fan-out, mapping, outbox

    @Test
    void messageIsDeliveredToEveryOtherPortalAndRecorded() {
        start(FAST);
        TestEvents alice = TestEvents.in(X).named("Alice");
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "hello")));

        Delivery toMatrix = matrix.awaitDeliveries(1, T).get(0);
        Delivery toSip = sip.awaitDeliveries(1, T).get(0);
        assertEquals(M, toMatrix.target());
        assertEquals(S, toSip.target());
        assertEquals(room.id(), toMatrix.room());
        assertEquals(toMatrix.messageId(), toSip.messageId());
        assertEquals("hello", text(toMatrix));
        assertEquals(1, toMatrix.attempt());
        assertTrue(xmpp.deliveries().isEmpty(), "never delivered back to its origin");

        eventually(() -> stores.outbox().pending().isEmpty(), "outbox entry completed");
        List<MessageMapping> copies = stores.messages().copies(toMatrix.messageId());
        assertEquals(3, copies.size(), copies::toString);
        assertTrue(copies.stream().anyMatch(c -> c.portal().equals(X) && c.origin()
                && c.remoteId().value().equals("x1")));
        assertTrue(copies.stream().anyMatch(c -> c.portal().equals(M) && !c.origin()
                && c.remoteId().value().equals("matrix-1") && c.author().equals(alice.sender())));
        assertEquals(2, router.metrics().delivered());
        assertEquals(1, router.metrics().accepted());
        assertEquals(1, router.metrics().deliveredTo(Network.of("matrix")));
    }

    @Test
    void unmappedOrDisabledRoomsAreNotBridged() {
        BridgedRoom disabled = stores.rooms().create("off", List.of(Portal.of("xmpp", "off@muc"),
                Portal.of("matrix", "!off:example")), false);
        start(FAST);
        assertEquals(Acceptance.NOT_BRIDGED,
                router.submit(TestEvents.in(Portal.of("xmpp", "nowhere@muc")).text("a", "hi")));
        assertEquals(Acceptance.NOT_BRIDGED, router.submit(TestEvents.in(disabled.portals().get(0)).text("b", "hi")));
        assertEquals(2, router.metrics().notBridged());
    }

    @Test
    void submitBeforeStartAndAfterCloseIsRefused() {
        Router r = new Router(stores, List.of(xmpp, matrix, sip), FAST, Clock.systemUTC());
        assertThrows(IngressUnavailableException.class, () -> r.submit(TestEvents.in(X).text("x1", "early")));
        r.start();
        r.close();
        assertThrows(IngressUnavailableException.class, () -> r.submit(TestEvents.in(X).text("x2", "late")));
        assertTrue(xmpp.stopped() && matrix.stopped() && sip.stopped());
    }

    // ----- echo and duplicates

    @Test
    void bridgeUsersAndKnownPuppetsAreEchoes() {
        xmpp.withBridgeUser("bridge-bot");
        stores.puppets().save(new Puppet(UserRef.of("matrix", "@bob:example"), Network.of("xmpp"),
                RemoteUserId.of("bob_matrix"), Profile.EMPTY, Instant.now()));
        start(FAST);
        assertEquals(Acceptance.ECHO, router.submit(TestEvents.in(X).from("bridge-bot").text("e1", "loop")));
        assertEquals(Acceptance.ECHO, router.submit(TestEvents.in(X).from("bob_matrix").text("e2", "loop")));
        assertEquals(2, router.metrics().echoes());
        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(X).text("x1", "real")));
        assertEquals("real", text(matrix.awaitDeliveries(1, T).get(0)));
        assertEquals(1, matrix.deliveries().size());
    }

    @Test
    void anEventCarryingAnIdTheBridgeDeliveredIsAnEcho() {
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "hello"));
        Delivery toMatrix = matrix.awaitDeliveries(1, T).get(0);
        eventually(() -> !stores.messages().findInPortal(M, RemoteMessageId.of("matrix-1")).isEmpty(),
                "copy recorded");
        // The homeserver hands the bridge its own puppet's event back, from a sender the bridge did not recognise.
        assertEquals(Acceptance.ECHO, router.submit(TestEvents.in(M).from("@someone:example").text("matrix-1", "hello")));
        assertTrue(xmpp.deliveries().isEmpty(), "nothing delivered back to xmpp");
        assertEquals(1, router.metrics().echoes());
        assertEquals("hello", text(toMatrix));
    }

    @Test
    void aRepeatedRemoteIdIsADuplicateAndDeliveredOnce() {
        start(FAST);
        TestEvents alice = TestEvents.in(X);
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "once")));
        assertEquals(Acceptance.DUPLICATE, router.submit(alice.text("x1", "once")));
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x2", "next")));
        List<Delivery> got = matrix.awaitDeliveries(2, T);
        assertEquals(List.of("once", "next"), got.stream().map(RouterTest::text).toList());
        assertEquals(1, router.metrics().duplicates());
        // After delivery it is still a duplicate (the id map, not only the outbox, remembers it).
        eventually(() -> stores.outbox().pending().isEmpty(), "outbox drained");
        assertEquals(Acceptance.DUPLICATE, router.submit(alice.text("x1", "once")));
    }

    // ----- ordering

    @Test
    void eventsOfOneRoomAreDeliveredInSubmitOrderUnderConcurrentInput() throws Exception {
        List<Portal> extraX = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Portal px = Portal.of("xmpp", "room" + r + "@muc");
            stores.rooms().create("room" + r, List.of(px, Portal.of("matrix", "!room" + r + ":example")), true);
            extraX.add(px);
        }
        start(new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 10_000, Duration.ofSeconds(2)));
        int perThread = 100;
        int lobbyThreads = 4;
        ExecutorService submitters = Executors.newFixedThreadPool(lobbyThreads + extraX.size());
        List<Future<?>> futures = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < lobbyThreads; t++) {
            int thread = t;
            futures.add(submitters.submit(() -> {
                TestEvents ev = TestEvents.in(X).from("user" + thread);
                go.await();
                for (int i = 0; i < perThread; i++) {
                    assertEquals(Acceptance.QUEUED, router.submit(ev.text("t" + thread + "-" + i, thread + ":" + i)));
                }
                return null;
            }));
        }
        for (Portal px : extraX) {
            futures.add(submitters.submit(() -> {
                TestEvents ev = TestEvents.in(px);
                go.await();
                for (int i = 0; i < perThread; i++) {
                    router.submit(ev.text(px.room() + "-" + i, "0:" + i));
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        submitters.shutdown();
        int total = perThread * (lobbyThreads + extraX.size());
        List<Delivery> toMatrix = matrix.awaitDeliveries(total, T);
        List<Delivery> toSip = sip.awaitDeliveries(perThread * lobbyThreads, T);

        // Per room, each submitting thread's messages arrive in the order that thread submitted them.
        for (Portal target : List.of(M, Portal.of("matrix", "!room0:example"), Portal.of("matrix", "!room1:example"),
                Portal.of("matrix", "!room2:example"))) {
            assertPerSenderOrder(toMatrix.stream().filter(d -> d.target().equals(target)).toList(), target);
        }
        assertPerSenderOrder(toSip, S);
        // Both targets of the lobby saw exactly the same sequence.
        assertEquals(toMatrix.stream().filter(d -> d.target().equals(M)).map(RouterTest::text).toList(),
                toSip.stream().map(RouterTest::text).toList());
    }

    private static void assertPerSenderOrder(List<Delivery> deliveries, Portal target) {
        java.util.Map<String, Integer> last = new java.util.HashMap<>();
        for (Delivery d : deliveries) {
            String[] p = text(d).split(":");
            int previous = last.getOrDefault(d.event().sender() + p[0], -1);
            assertEquals(previous + 1, Integer.parseInt(p[1]), "order broken in " + target + " at " + text(d));
            last.put(d.event().sender() + p[0], previous + 1);
        }
    }

    @Test
    void anEditWaitsForItsOriginalStillBeingDelivered() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        matrix.then(RecordingAdapter.block(entered, release));
        start(FAST);
        TestEvents alice = TestEvents.in(X);
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "helo")));
        assertTrue(entered.await(10, TimeUnit.SECONDS), "original reached the adapter");
        // The original's copy on matrix does not exist yet: the edit must be resolved later, in the pipeline.
        assertEquals(Acceptance.QUEUED, router.submit(alice.edit("x2", "x1", "hello")));
        release.countDown();

        List<Delivery> got = matrix.awaitDeliveries(2, T);
        assertInstanceOf(MessageEvent.class, got.get(0).event());
        assertInstanceOf(EditEvent.class, got.get(1).event());
        assertEquals(List.of(RemoteMessageId.of("matrix-1")), got.get(1).reference().orElseThrow().parts());
        assertEquals(alice.sender(), got.get(1).reference().orElseThrow().author());
    }

    // ----- references

    @Test
    void editsAreScopedByAuthor() {
        start(FAST);
        TestEvents alice = TestEvents.in(X).from("alice");
        TestEvents mallory = TestEvents.in(X).from("mallory");
        router.submit(alice.text("x1", "alice's words"));
        matrix.awaitDeliveries(1, T);
        // mallory cannot edit alice's message by naming its id
        assertEquals(Acceptance.UNKNOWN_REFERENCE, router.submit(mallory.edit("m-e1", "x1", "pwned")));
        // mallory's client reuses the id for her own message: that is a different message, not a duplicate
        assertEquals(Acceptance.QUEUED, router.submit(mallory.text("x1", "mallory's words")));
        assertEquals(Acceptance.QUEUED, router.submit(mallory.edit("m-e2", "x1", "mallory corrected")));
        List<Delivery> got = matrix.awaitDeliveries(3, T);
        Delivery edit = got.get(2);
        assertInstanceOf(EditEvent.class, edit.event());
        assertEquals(List.of(RemoteMessageId.of("matrix-2")), edit.reference().orElseThrow().parts(),
                "the edit targets mallory's copy, never alice's (matrix-1)");
        assertEquals(mallory.sender(), edit.reference().orElseThrow().author());
        assertEquals(1, router.metrics().unknownReferences());
    }

    @Test
    void onlyModerationRetractsSomeoneElsesMessage() {
        start(FAST);
        TestEvents alice = TestEvents.in(X).from("alice");
        TestEvents moderator = TestEvents.in(X).from("moderator");
        router.submit(alice.text("x1", "spam"));
        matrix.awaitDeliveries(1, T);
        assertEquals(Acceptance.UNKNOWN_REFERENCE, router.submit(moderator.retract("d1", "x1")),
                "a plain retraction is scoped by author");
        assertEquals(Acceptance.QUEUED, router.submit(moderator.moderate("d2", "x1")));
        Delivery retraction = matrix.awaitDeliveries(2, T).get(1);
        assertEquals(List.of(RemoteMessageId.of("matrix-1")), retraction.reference().orElseThrow().parts());
        Delivery notice = sip.awaitDeliveries(2, T).get(1);
        assertEquals("moderator deleted a message", text(notice), "sip has no retractions: a notice");
    }

    @Test
    void aReplyToAnUnknownMessageIsStillDelivered() {
        start(FAST);
        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(X).reply("x1", "before-the-bridge", "indeed")));
        Delivery d = matrix.awaitDeliveries(1, T).get(0);
        assertEquals("indeed", text(d));
        assertTrue(d.replyTo().isEmpty());
        assertTrue(((MessageEvent) d.event()).replyTo().isEmpty(), "no dangling origin id handed to the target");
    }

    @Test
    void anEditOfAnUnknownMessageIsRefused() {
        start(FAST);
        assertEquals(Acceptance.UNKNOWN_REFERENCE, router.submit(TestEvents.in(X).edit("e1", "never-seen", "x")));
        assertEquals(Acceptance.UNKNOWN_REFERENCE, router.submit(TestEvents.in(X).react("r1", "never-seen", "👍")));
    }

    @Test
    void repliesResolvePerTargetAndFallBackToAQuote() {
        start(FAST);
        router.submit(TestEvents.in(X).named("Alice").text("x1", "first line\nsecond line"));
        matrix.awaitDeliveries(1, T);
        sip.awaitDeliveries(1, T);
        eventually(() -> !stores.messages().findInPortal(M, RemoteMessageId.of("matrix-1")).isEmpty(), "copy");
        // Bob on matrix answers the matrix copy of alice's message.
        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(M).from("@bob:example").reply("$b1", "matrix-1",
                "answer")));
        Delivery toXmpp = xmpp.awaitDeliveries(1, T).get(0);
        assertEquals(List.of(RemoteMessageId.of("x1")), toXmpp.replyTo().orElseThrow().parts(),
                "resolved to the original's id on xmpp");
        Delivery toSip = sip.awaitDeliveries(2, T).get(1);
        assertEquals("> Alice: first line\nanswer", text(toSip), "sip has no replies: quote fallback");
        assertTrue(toSip.replyTo().isEmpty());
    }

    @Test
    void reactionsAreMappedAndRemovalsAddressTheReactionId() {
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "nice"));
        matrix.awaitDeliveries(1, T);
        sip.awaitDeliveries(1, T);
        TestEvents bob = TestEvents.in(M).from("@bob:example").named("Bob");
        eventually(() -> !stores.messages().findInPortal(M, RemoteMessageId.of("matrix-1")).isEmpty(), "copy");
        assertEquals(Acceptance.QUEUED, router.submit(bob.react("$r1", "matrix-1", "👍")));
        Delivery reaction = xmpp.awaitDeliveries(1, T).get(0);
        assertEquals(List.of(RemoteMessageId.of("x1")), reaction.reference().orElseThrow().parts());
        Delivery notice = sip.awaitDeliveries(2, T).get(1);
        assertEquals(MessageKind.NOTICE, ((MessageEvent) notice.event()).kind());
        assertEquals("Bob reacted 👍 to \"nice\"", text(notice), "issue 11: the notice names the message's first words");

        BridgeMessageId original = stores.messages().findByAuthor(X, TestEvents.in(X).sender(),
                RemoteMessageId.of("x1")).orElseThrow();
        eventually(() -> stores.reactions().find(original, X, bob.sender(), "👍").isPresent(), "reaction recorded");
        assertEquals("xmpp-1", stores.reactions().find(original, X, bob.sender(), "👍").get().remoteId().value());

        assertEquals(Acceptance.QUEUED, router.submit(bob.unreact("$r2", "matrix-1", "👍")));
        Delivery removal = xmpp.awaitDeliveries(2, T).get(1);
        assertFalse(((ReactionEvent) removal.event()).added());
        assertEquals(List.of(RemoteMessageId.of("xmpp-1")), removal.reference().orElseThrow().parts());
        eventually(() -> stores.reactions().find(original, X, bob.sender(), "👍").isEmpty(), "reaction removed");
        // sip: the removal of a notice is skipped, not sent
        eventually(() -> router.metrics().skipped() >= 1, "skip counted");
        assertEquals(2, sip.deliveries().size());
    }

    @Test
    void fallbacksApplyPerTarget() {
        start(FAST);
        TestEvents alice = TestEvents.in(X);
        router.submit(alice.text("x1", "helo"));
        router.submit(alice.edit("x2", "x1", "hello"));
        router.submit(alice.typing(true));
        router.submit(alice.text("x3", "word ".repeat(300).strip()));

        List<Delivery> toSip = sip.awaitDeliveries(1 + 1 + 2, T);
        assertEquals("* hello", text(toSip.get(1)), "no edits on sip: a correction message");
        assertTrue(toSip.stream().noneMatch(d -> d.event() instanceof TypingEvent));
        assertEquals(2, toSip.size() - 2, "the 1500-byte message went out in two parts");
        assertTrue(toSip.subList(2, 4).stream().allMatch(d -> text(d).getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length <= 1000));
        List<Delivery> toMatrix = matrix.awaitDeliveries(4, T);
        assertInstanceOf(EditEvent.class, toMatrix.get(1).event());
        assertInstanceOf(TypingEvent.class, toMatrix.get(2).event());

        BridgeMessageId long3 = toSip.get(2).messageId();
        eventually(() -> stores.messages().copies(long3).stream().filter(c -> c.portal().equals(S)).count() == 2,
                "both parts recorded");
        List<MessageMapping> parts = stores.messages().copies(long3).stream().filter(c -> c.portal().equals(S))
                .toList();
        assertEquals(List.of(0, 1), parts.stream().map(MessageMapping::part).toList());
    }

    // ----- retries and report-back

    @Test
    void aTransientFailureIsRetriedAndLaterEventsWait() {
        matrix.then(RecordingAdapter.transientFailure(), RecordingAdapter.transientFailure(Duration.ofMillis(10)));
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "one"));
        router.submit(TestEvents.in(X).text("x2", "two"));
        List<Delivery> got = matrix.awaitDeliveries(2, T);
        assertEquals(List.of("one", "two"), got.stream().map(RouterTest::text).toList());
        assertEquals(3, got.get(0).attempt());
        assertEquals(4, matrix.attempts().size());
        assertEquals(2, router.metrics().retried());
        assertTrue(xmpp.failures().isEmpty());
    }

    @Test
    void afterTheLastAttemptTheOriginAdapterIsTold() {
        matrix.then(RecordingAdapter.transientFailure(), RecordingAdapter.transientFailure(),
                RecordingAdapter.transientFailure());
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "doomed"));
        DeliveryFailure failure = xmpp.awaitFailures(1, T).get(0);
        assertEquals(M, failure.target());
        assertEquals(3, failure.attempts());
        assertEquals("doomed", ((MessageEvent) failure.event()).body().plain());
        assertEquals(3, matrix.attempts().size());
        assertEquals(1, sip.awaitDeliveries(1, T).size(), "the other target is unaffected");
        eventually(() -> stores.outbox().pending().isEmpty(), "entry completed");
        assertEquals(1, router.metrics().failed());
        assertEquals(1, router.metrics().failedTo(Network.of("matrix")));
        // The room goes on.
        router.submit(TestEvents.in(X).text("x2", "next"));
        assertEquals("next", text(matrix.awaitDeliveries(1, T).get(0)));
    }

    @Test
    void aStoreOutageWhileResolvingReferencesIsRetried() {
        java.util.concurrent.atomic.AtomicInteger outages = new java.util.concurrent.atomic.AtomicInteger(0);
        org.bridgeappliance.core.store.MessageMapStore real = stores.messages();
        org.bridgeappliance.core.store.MessageMapStore flaky = new org.bridgeappliance.core.store.MessageMapStore() {
            @Override
            public void record(List<MessageMapping> mappings) {
                real.record(mappings);
            }

            @Override
            public Optional<BridgeMessageId> findByAuthor(Portal portal, UserRef author, RemoteMessageId remoteId) {
                return real.findByAuthor(portal, author, remoteId);
            }

            @Override
            public List<MessageMapping> findInPortal(Portal portal, RemoteMessageId remoteId) {
                return real.findInPortal(portal, remoteId);
            }

            @Override
            public List<MessageMapping> copies(BridgeMessageId messageId) {
                if (outages.getAndDecrement() > 0) {
                    throw new org.bridgeappliance.core.store.StoreException("database restarting", null);
                }
                return real.copies(messageId);
            }
        };
        stores = new BridgeStores(stores.rooms(), flaky, stores.reactions(), stores.outbox(), stores.puppets(),
                stores.identities(), stores.transactions());
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "helo"));
        matrix.awaitDeliveries(1, T);
        outages.set(2);
        router.submit(TestEvents.in(X).edit("x2", "x1", "hello"));
        Delivery edit = matrix.awaitDeliveries(2, T).get(1);
        assertEquals(List.of(RemoteMessageId.of("matrix-1")), edit.reference().orElseThrow().parts());
        assertEquals(3, edit.attempt(), "two attempts spent on the outage");
        assertEquals(2, router.metrics().retried());
        assertTrue(xmpp.failures().isEmpty());
    }

    @Test
    void aPermanentFailureOrAnAdapterBugIsReportedAtOnce() {
        matrix.then(RecordingAdapter.permanentFailure());
        sip.then(RecordingAdapter.crash());
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "rejected"));
        List<DeliveryFailure> failures = xmpp.awaitFailures(2, T);
        assertTrue(failures.stream().allMatch(f -> f.attempts() == 1), failures::toString);
        assertEquals(1, matrix.attempts().size());
        assertEquals(1, sip.attempts().size());
        assertEquals(0, router.metrics().retried());
    }

    @Test
    void aDisconnectedNetworkIsWaitedForWithoutSpendingAttempts() {
        sip.withStateAtStart(AdapterState.Status.RECONNECTING);
        start(new RouterConfig(3, Duration.ofMillis(200), Duration.ofSeconds(5), 100, Duration.ofSeconds(2)));
        router.submit(TestEvents.in(X).text("x1", "hold on"));
        matrix.awaitDeliveries(1, T);
        assertEquals(AdapterState.Status.RECONNECTING, router.adapterStates().get(Network.of("sip")).status());
        assertTrue(sip.attempts().isEmpty());
        sip.setState(AdapterState.Status.CONNECTED, "back");
        Delivery d = sip.awaitDeliveries(1, T).get(0);
        assertEquals(1, d.attempt());
        assertEquals(1, sip.attempts().size());
        assertEquals(AdapterState.Status.CONNECTED, router.adapterStates().get(Network.of("sip")).status());
    }

    @Test
    void aNetworkThatStaysDownIsGivenUpAfterTheRetryBudget() {
        sip.withStateAtStart(AdapterState.Status.FAILED);
        start(FAST);
        router.submit(TestEvents.in(X).text("x1", "nobody home"));
        DeliveryFailure failure = xmpp.awaitFailures(1, T).get(0);
        assertEquals(S, failure.target());
        assertTrue(failure.reason().contains("FAILED"), failure.reason());
        assertTrue(sip.attempts().isEmpty());
    }

    // ----- durability

    @Test
    void replayAtStartSkipsPortalsAlreadyDone() {
        TestEvents alice = TestEvents.in(X);
        MessageEvent event = alice.text("x1", "survived a crash");
        BridgeMessageId id = BridgeMessageId.of("c0ffee");
        OutboxEntry entry = stores.outbox().append(room.id(), id, event);
        stores.messages().record(List.of(new MessageMapping(id, room.id(), X, alice.sender(), RemoteMessageId.of("x1"),
                0, true, Instant.now())));
        stores.outbox().markDone(entry.sequence(), M); // matrix got it before the crash

        start(FAST);
        Delivery toSip = sip.awaitDeliveries(1, T).get(0);
        assertEquals(id, toSip.messageId());
        assertEquals("survived a crash", text(toSip));
        router.submit(alice.text("x2", "after restart"));
        assertEquals("after restart", text(matrix.awaitDeliveries(1, T).get(0)), "matrix got no second copy");
        eventually(() -> stores.outbox().pending().isEmpty(), "replayed entry completed");
        assertEquals(Acceptance.DUPLICATE, router.submit(event), "still known after the restart");
    }

    @Test
    void replayAtStartSkipsPortalsWhoseCopyWasRecordedBeforeTheCrash() {
        TestEvents alice = TestEvents.in(X);
        MessageEvent event = alice.text("x1", "delivered, then the crash");
        BridgeMessageId id = BridgeMessageId.of("c0ffee02");
        stores.outbox().append(room.id(), id, event);
        stores.messages().record(List.of(new MessageMapping(id, room.id(), X, alice.sender(), RemoteMessageId.of("x1"),
                0, true, Instant.now())));
        // Matrix got it and its copy was recorded, but the process died before the outbox mark.
        stores.messages().record(List.of(new MessageMapping(id, room.id(), M, alice.sender(),
                RemoteMessageId.of("$on-matrix"), 0, false, Instant.now())));

        start(FAST);
        assertEquals("delivered, then the crash", text(sip.awaitDeliveries(1, T).get(0)));
        eventually(() -> stores.outbox().pending().isEmpty(), "replayed entry completed");
        router.submit(alice.text("x2", "after restart"));
        assertEquals("after restart", text(matrix.awaitDeliveries(1, T).get(0)), "matrix got no second copy");
    }

    @Test
    void aRestartDeliversWhatWasPendingExactlyOnce() {
        sip.withStateAtStart(AdapterState.Status.RECONNECTING);
        start(new RouterConfig(3, Duration.ofSeconds(1), Duration.ofSeconds(5), 100, Duration.ofMillis(50)));
        router.submit(TestEvents.in(X).text("x1", "pending"));
        matrix.awaitDeliveries(1, T);
        eventually(() -> stores.outbox().pending().size() == 1
                && stores.outbox().pending().get(0).delivered().equals(java.util.Set.of(M)), "matrix marked done");
        router.close();

        RecordingAdapter xmpp2 = new RecordingAdapter("xmpp");
        RecordingAdapter matrix2 = new RecordingAdapter("matrix");
        RecordingAdapter sip2 = new RecordingAdapter("sip").withCapabilities(RoomCapabilities.PLAIN_TEXT);
        Router second = new Router(stores, List.of(xmpp2, matrix2, sip2), FAST, Clock.systemUTC());
        routers.add(second);
        second.start();
        assertEquals("pending", text(sip2.awaitDeliveries(1, T).get(0)));
        eventually(() -> stores.outbox().pending().isEmpty(), "completed after the restart");
        assertTrue(matrix2.attempts().isEmpty(), "no double delivery to the portal already done");
        assertTrue(sip.attempts().isEmpty());
    }

    // ----- back-pressure and ephemeral events

    @Test
    void aFullRoomBlocksBrieflyThenRefusesButNeverDrops() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        matrix.then(RecordingAdapter.block(entered, release));
        start(new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 2, Duration.ofSeconds(2)));
        TestEvents alice = TestEvents.in(X);
        router.submit(alice.text("x1", "one"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        router.submit(alice.text("x2", "two"));
        long t0 = System.nanoTime();
        assertThrows(IngressUnavailableException.class, () -> router.submit(alice.text("x3", "three")));
        assertTrue(System.nanoTime() - t0 >= Router.SUBMIT_WAIT.toNanos() / 2, "blocked briefly first");
        assertEquals(Acceptance.QUEUED, router.submit(alice.typing(true)));
        assertEquals(1, router.metrics().droppedEphemeral());
        release.countDown();
        assertEquals(List.of("one", "two"), matrix.awaitDeliveries(2, T).stream().map(RouterTest::text).toList());
        // The refused event was not recorded: the network's retry is accepted, not a duplicate.
        eventually(() -> {
            try {
                return router.submit(alice.text("x3", "three")) == Acceptance.QUEUED;
            } catch (IngressUnavailableException e) {
                return false;
            }
        }, "room has space again");
        assertEquals("three", text(matrix.awaitDeliveries(3, T).get(2)));
    }

    @Test
    void aTypingNotificationGetsOneTryAndIsNeverReportedBack() {
        sip.withCapabilities(RoomCapabilities.FULL);
        matrix.then(RecordingAdapter.transientFailure());
        start(FAST);
        router.submit(TestEvents.in(X).typing(true));
        router.submit(TestEvents.in(X).text("x1", "after typing"));
        assertEquals("after typing", text(matrix.awaitDeliveries(1, T).get(0)));
        assertEquals(2, matrix.attempts().size(), "the failed typing notification was not retried");
        assertInstanceOf(TypingEvent.class, sip.awaitDeliveries(2, T).get(0).event());
        assertEquals(1, router.metrics().droppedEphemeral());
        assertEquals(0, router.metrics().failed());
        assertTrue(xmpp.failures().isEmpty());
    }

    // ----- presence

    @Test
    void presenceGoesWherePuppetsExistElseEverywhere() {
        UserRef alice = UserRef.of("xmpp", "alice");
        start(FAST);
        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(X).presence(Presence.AWAY)));
        assertEquals(Presence.AWAY, matrix.awaitPresences(1, T).get(0).presence());
        assertEquals(Presence.AWAY, sip.awaitPresences(1, T).get(0).presence());

        stores.puppets().save(new Puppet(alice, Network.of("matrix"), RemoteUserId.of("@_xmpp_alice:example"),
                Profile.EMPTY, Instant.now()));
        router.submit(TestEvents.in(X).presence(Presence.AVAILABLE));
        assertEquals(Presence.AVAILABLE, matrix.awaitPresences(2, T).get(1).presence());
        // a later event through the same dispatcher proves sip was not sent the second one
        router.submit(TestEvents.in(X).presence(Presence.OFFLINE));
        matrix.awaitPresences(3, T);
        assertEquals(1, sip.presences().size());
        // presence from a puppet is an echo
        assertEquals(Acceptance.ECHO, router.submit(TestEvents.in(M).from("@_xmpp_alice:example")
                .presence(Presence.AWAY)));
        assertTrue(xmpp.presences().isEmpty());
    }

    @Test
    void adapterStatesFollowTheListener() {
        start(FAST);
        assertEquals(AdapterState.Status.CONNECTED, router.adapterStates().get(Network.of("matrix")).status());
        matrix.setState(AdapterState.Status.RECONNECTING, "homeserver down");
        assertEquals("homeserver down", router.adapterStates().get(Network.of("matrix")).detail());
        assertEquals(router, xmpp.context().ingress());
    }
}
