package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.Test;

/** One writer per fact: the origin side of a reaction is recorded by the router at acceptance, not by adapters. */
class OriginReactionTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");

    @Test
    void theOriginSideOfAReactionIsRecordedBeforeSubmitReturns() {
        BridgeStores stores = InMemoryStores.create();
        stores.rooms().create("lobby", List.of(X, M), true);
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        // The target blocks, so nothing the pipeline does can be what recorded the origin side.
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (Router router = new Router(stores, List.of(xmpp, matrix), RouterConfig.defaults(), Clock.systemUTC())) {
            router.start();
            TestEvents alice = TestEvents.in(X);
            router.submit(alice.text("x1", "nice"));
            matrix.awaitDeliveries(1, T);
            long deadline = System.nanoTime() + T.toNanos();
            while (stores.messages().findInPortal(M, RemoteMessageId.of("matrix-1")).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the matrix copy is recorded");
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a poll of a store, not a sync
            }
            BridgeMessageId original = stores.messages().findByAuthor(X, alice.sender(), RemoteMessageId.of("x1"))
                    .orElseThrow();
            TestEvents bob = TestEvents.in(M).from("@bob:example");
            xmpp.then(RecordingAdapter.block(entered, release));

            assertEquals(Acceptance.QUEUED, router.submit(bob.react("$r1", "matrix-1", "👍")));
            assertEquals("$r1", stores.reactions().find(original, M, bob.sender(), "👍").orElseThrow().remoteId().value(),
                    "kept under the reaction's own id in its origin portal");
            assertEquals(Acceptance.QUEUED, router.submit(bob.unreact("$r2", "matrix-1", "👍")));
            assertTrue(stores.reactions().find(original, M, bob.sender(), "👍").isEmpty(), "removed at acceptance");
            release.countDown();
            xmpp.awaitDeliveries(2, T);
        }
    }
}
