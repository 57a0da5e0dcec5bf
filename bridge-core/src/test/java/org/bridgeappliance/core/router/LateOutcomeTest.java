package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.Conditions;
import org.bridgeappliance.core.testing.MutableClock;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Late delivery outcomes (DeliveryOutcomes): a store-and-forward network settles a delivery long after deliver. */
class LateOutcomeTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal S = Portal.of("sip", "sip:room@bridge.example");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final BridgeStores stores = InMemoryStores.create(clock);
    private final RecordingAdapter xmpp = new RecordingAdapter("xmpp");
    private final RecordingAdapter sip = new RecordingAdapter("sip");
    private Router router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
        }
    }

    private void start() {
        stores.rooms().create("lobby", List.of(X, S), true);
        router = new Router(stores, List.of(xmpp, sip), FAST, clock);
        router.start();
    }

    @Test
    void aDeliveryReportedFailedAnHourLaterReachesItsAuthorOnce() {
        sip.then(RecordingAdapter.awaitingOutcome());
        start();
        var alice = TestEvents.in(X).from("alice@example.org");
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "are you there?")));
        Delivery pending = sip.awaitDeliveries(1, T).get(0);

        // The room's pipeline is not held while the phone is away: the next message goes through.
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x2", "second")));
        sip.awaitDeliveries(2, T);

        clock.advance(Duration.ofHours(1));
        sip.context().outcomes().failed(pending.messageId(), S, "the phone did not come back");
        DeliveryFailure failure = xmpp.awaitFailures(1, T).get(0);
        assertEquals("are you there?", ((MessageEvent) failure.event()).body().plain());
        assertEquals(S, failure.target());
        assertEquals("the phone did not come back", failure.reason());
        assertEquals(1, failure.attempts());

        // Repeating the report, or reporting success after it, tells nobody anything more.
        sip.context().outcomes().failed(pending.messageId(), S, "again");
        sip.context().outcomes().delivered(pending.messageId(), S);
        lateFailureOfAnotherMessage(alice);
        List<DeliveryFailure> failures = xmpp.awaitFailures(2, T);
        assertEquals(1, failures.stream().filter(f -> f.event().remoteId().orElseThrow().value().equals("x1")).count(),
                "once: " + failures);
        // Marked reported just after the report went out, on the router's pool.
        Conditions.eventually(() -> stores.lateOutcomes().unreported().isEmpty(), T, "no unreported late failure left");
    }

    /** A further late failure, whose report proves the pool had time to send any duplicate of the first. */
    private Delivery lateFailureOfAnotherMessage(TestEvents alice) {
        sip.then(RecordingAdapter.awaitingOutcome());
        router.submit(alice.text("x3", "third"));
        Delivery third = sip.awaitDelivery(d -> d.event().remoteId().map(id -> id.value().equals("x3")).orElse(false), T);
        sip.context().outcomes().failed(third.messageId(), S, "gone");
        return third;
    }

    @Test
    void aLateSuccessTellsNobodyAndForgetsTheDelivery() {
        sip.then(RecordingAdapter.awaitingOutcome());
        start();
        var alice = TestEvents.in(X).from("alice@example.org");
        router.submit(alice.text("x1", "hi"));
        Delivery pending = sip.awaitDeliveries(1, T).get(0);
        sip.context().outcomes().delivered(pending.messageId(), S);
        // Once delivered, a later failure report of the same delivery is ignored.
        sip.context().outcomes().failed(pending.messageId(), S, "too late");
        lateFailureOfAnotherMessage(alice);
        assertEquals(List.of("x3"), xmpp.awaitFailures(1, T).stream()
                .map(f -> f.event().remoteId().orElseThrow().value()).toList());
    }

    @Test
    void anOutcomeThatOvertakesTheReceiptIsStillApplied() {
        // A fast final answer: the adapter reports before deliver has even returned its pending receipt.
        sip.then((d, a) -> {
            a.context().outcomes().failed(d.messageId(), d.target(), "rejected by the phone");
            return org.bridgeappliance.core.port.DeliveryReceipt.awaitingOutcome("sip-early");
        });
        start();
        router.submit(TestEvents.in(X).from("alice@example.org").text("x1", "hi"));
        DeliveryFailure failure = xmpp.awaitFailures(1, T).get(0);
        assertEquals("rejected by the phone", failure.reason());
    }

    @Test
    void aPlainReceiptLeavesNothingPending() {
        start();
        router.submit(TestEvents.in(X).from("alice@example.org").text("x1", "hi"));
        Delivery delivered = sip.awaitDeliveries(1, T).get(0);
        sip.context().outcomes().failed(delivered.messageId(), S, "not a store-and-forward delivery");
        assertTrue(stores.lateOutcomes().unreported().isEmpty(), "an unknown delivery is not settled");
        assertEquals(1, stores.lateOutcomes().forgetBefore(clock.instant().plusSeconds(1)),
                "its early outcome is forgotten by retention");
    }
}
