package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.StoreException;
import org.bridgeappliance.core.store.UnitOfWork;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's units of work: one per acceptance, committed before the event is QUEUED and before its delivery
 * can start, and one per delivery that includes the outbox entry's completion.
 */
class RouterUnitOfWorkTest {
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

    /** Records what each outermost unit saw when it "committed"; can fail the next commit. */
    private static final class RecordingUnits implements UnitOfWork {
        final List<String> commits = new CopyOnWriteArrayList<>();
        final AtomicBoolean failNextCommit = new AtomicBoolean();
        final ThreadLocal<Integer> depth = ThreadLocal.withInitial(() -> 0);
        BridgeStores stores;
        RecordingAdapter target;

        @Override
        public <T> T inOne(Supplier<T> work) {
            int d = depth.get();
            depth.set(d + 1);
            try {
                T result = work.get();
                if (d == 0) {
                    if (failNextCommit.compareAndSet(true, false)) {
                        throw new StoreException("commit failed", null);
                    }
                    commits.add("pending=" + stores.outbox().pending().size() + " delivered="
                            + target.deliveries().size());
                }
                return result;
            } finally {
                depth.set(d);
            }
        }

        @Override
        public <T> T attempt(Supplier<T> work) {
            return work.get();
        }
    }

    private BridgeStores storesWith(RecordingUnits units) {
        BridgeStores m = InMemoryStores.create();
        BridgeStores stores = new BridgeStores(m.rooms(), m.messages(), m.reactions(), m.outbox(), m.puppets(),
                m.identities(), m.transactions(), m.archive(), m.aliases(), m.lateOutcomes(), units);
        units.stores = stores;
        return stores;
    }

    @Test
    void anAcceptanceCommitsOnceBeforeItsDeliveryAndTheDeliveryCommitsOnceWithTheCompletion() {
        RecordingUnits units = new RecordingUnits();
        BridgeStores stores = storesWith(units);
        stores.rooms().create("lobby", List.of(X, M), true);
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        units.target = matrix;
        router = new Router(stores, List.of(new RecordingAdapter("xmpp"), matrix), FAST, Clock.systemUTC());
        router.start();

        assertEquals(Acceptance.QUEUED, router.submit(TestEvents.in(X).named("Alice").text("x1", "hello")));
        matrix.awaitDeliveries(1, T);
        router.close(); // waits for the pipeline: the delivery's unit has run
        router = null;

        assertEquals(List.of("pending=1 delivered=0", "pending=0 delivered=1"), units.commits,
                "acceptance (its entry in the outbox, nothing delivered yet), then delivery (entry completed)");
    }

    @Test
    void anAcceptanceWhoseCommitFailsIsNotQueuedAndNeverDelivered() {
        RecordingUnits units = new RecordingUnits();
        BridgeStores stores = storesWith(units);
        stores.rooms().create("lobby", List.of(X, M), true);
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        units.target = matrix;
        router = new Router(stores, List.of(new RecordingAdapter("xmpp"), matrix), FAST, Clock.systemUTC());
        router.start();
        TestEvents alice = TestEvents.in(X).named("Alice");

        units.failNextCommit.set(true);
        assertThrows(IngressUnavailableException.class, () -> router.submit(alice.text("x1", "lost")));
        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x2", "kept")));
        matrix.awaitDeliveries(1, T);
        router.close();
        router = null;

        assertEquals(1, matrix.deliveries().size());
        assertTrue(matrix.deliveries().get(0).event().toString().contains("kept"), matrix.deliveries().toString());
    }
}
