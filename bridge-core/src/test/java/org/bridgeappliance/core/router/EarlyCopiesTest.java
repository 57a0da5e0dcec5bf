package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.MutableClock;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Early copies ({@link org.bridgeappliance.core.port.EarlyCopies}): an adapter reports a copy while its
 * delivery is still running (a MUC reflection), the router records it through the same path as the receipt,
 * and the receipt then adds nothing.
 */
class EarlyCopiesTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example.org");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final BridgeStores stores = InMemoryStores.create(clock);
    private final RecordingAdapter matrix = new RecordingAdapter("matrix");
    private final RecordingAdapter xmpp = new RecordingAdapter("xmpp");
    private final TestEvents alice = TestEvents.in(M).from("@alice:example.org");
    private Router router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
        }
    }

    private void start() {
        stores.rooms().create("lobby", List.of(M, X), true);
        router = new Router(stores, List.of(matrix, xmpp), FAST, clock);
        router.start();
    }

    /** The copies of {@code messageId} in the XMPP room, once the router is past it (a later message was delivered). */
    private List<MessageMapping> xmppCopiesAfterTheNextDelivery(BridgeMessageId messageId, int deliveriesSoFar) {
        router.submit(alice.text("$next", "next"));
        xmpp.awaitDeliveries(deliveriesSoFar + 1, T);
        return stores.messages().copies(messageId).stream().filter(m -> m.portal().equals(X)).toList();
    }

    @Test
    void aCopyReportedTwiceDuringDeliveryIsRecordedOnceAndItsReceiptAddsNothing() {
        AtomicReference<Optional<BridgeMessageId>> seenDuringDelivery = new AtomicReference<>(Optional.empty());
        xmpp.then((d, a) -> {
            a.context().copies().known(d, RemoteMessageId.of("sid-1"));
            a.context().copies().known(d, RemoteMessageId.of("sid-1")); // a second reflection of the same copy
            // Known before deliver returns: a reaction sent by an occupant at once already resolves.
            seenDuringDelivery.set(stores.messages().findByAuthor(X, UserRef.of("matrix", "@alice:example.org"),
                    RemoteMessageId.of("sid-1")));
            return DeliveryReceipt.of("sid-1");
        });
        start();
        router.submit(alice.text("$e1", "hello"));
        Delivery delivered = xmpp.awaitDeliveries(1, T).get(0);
        assertEquals(Optional.of(delivered.messageId()), seenDuringDelivery.get());

        List<MessageMapping> copies = xmppCopiesAfterTheNextDelivery(delivered.messageId(), 1);
        assertEquals(1, copies.size(), "one row: " + copies);
        assertEquals(RemoteMessageId.of("sid-1"), copies.get(0).remoteId());
        assertEquals(0, copies.get(0).part());
        assertEquals(UserRef.of("matrix", "@alice:example.org"), copies.get(0).author());
        assertEquals(2, router.metrics().delivered(), "both messages delivered, nothing failed");
        assertEquals(0, router.metrics().failed());
        assertTrue(matrix.failures().isEmpty(), "nothing reported to the author: " + matrix.failures());
    }

    @Test
    void aSplitBodysReceiptAddsOnlyThePartsNotReportedEarly() {
        xmpp.then((d, a) -> {
            a.context().copies().known(d, RemoteMessageId.of("part-0"));
            return DeliveryReceipt.of("part-0", "part-1");
        });
        start();
        router.submit(alice.text("$e1", "a long text"));
        Delivery delivered = xmpp.awaitDeliveries(1, T).get(0);

        List<MessageMapping> copies = xmppCopiesAfterTheNextDelivery(delivered.messageId(), 1);
        assertEquals(List.of(RemoteMessageId.of("part-0"), RemoteMessageId.of("part-1")),
                copies.stream().map(MessageMapping::remoteId).toList());
        assertEquals(List.of(0, 1), copies.stream().map(MessageMapping::part).toList());
        assertEquals(0, router.metrics().failed());
    }

    @Test
    void anEarlyCopyClashingWithAnotherMessageNeverThrowsAndTheDeliveryGoesOn() {
        AtomicReference<RuntimeException> thrown = new AtomicReference<>();
        xmpp.then(RecordingAdapter.receipt("taken"), (d, a) -> {
            try {
                a.context().copies().known(d, RemoteMessageId.of("taken")); // already the first message's copy
                a.context().copies().known(d, null); // an adapter bug: still no exception into the reader thread
            } catch (RuntimeException e) {
                thrown.set(e);
            }
            return DeliveryReceipt.of("own");
        });
        start();
        router.submit(alice.text("$e1", "first"));
        router.submit(alice.text("$e2", "second"));
        List<Delivery> delivered = xmpp.awaitDeliveries(2, T);

        assertEquals(null, thrown.get());
        List<MessageMapping> first = xmppCopiesAfterTheNextDelivery(delivered.get(0).messageId(), 2);
        assertEquals(List.of(RemoteMessageId.of("taken")), first.stream().map(MessageMapping::remoteId).toList(),
                "the first message keeps its copy");
        List<MessageMapping> second = stores.messages().copies(delivered.get(1).messageId()).stream()
                .filter(m -> m.portal().equals(X)).toList();
        assertEquals(List.of(RemoteMessageId.of("own")), second.stream().map(MessageMapping::remoteId).toList());
        assertEquals(0, router.metrics().failed());
    }
}
