package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.LateOutcomeStore;
import org.bridgeappliance.core.store.LateOutcomeStore.Outcome;
import org.bridgeappliance.core.testing.MutableClock;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late delivery outcomes across a restart: the router is closed and re-created over the same H2 database
 * between a store-and-forward delivery and its failure, and the author is still told, once.
 */
class LateOutcomeRestartTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal S = Portal.of("sip", "sip:room@bridge.example");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private MappingDatabase openDb() {
        MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS));
        open.add(db);
        return db;
    }

    private Router startRouter(MappingDatabase db, RecordingAdapter... adapters) {
        Router router = new Router(db.stores(), List.of(adapters), FAST, clock);
        open.add(router);
        router.start();
        return router;
    }

    /** Runs one store-and-forward delivery, then stops router and database; returns its message id. */
    private BridgeMessageId pendingDeliveryThenStop() throws Exception {
        MappingDatabase db = openDb();
        db.stores().rooms().create("lobby", List.of(X, S), true);
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter sip = new RecordingAdapter("sip").then(RecordingAdapter.awaitingOutcome());
        Router router = startRouter(db, xmpp, sip);
        router.submit(TestEvents.in(X).from("alice@example.org").text("x1", "are you there?"));
        Delivery delivery = sip.awaitDeliveries(1, T).get(0);
        router.close();
        db.close();
        assertTrue(xmpp.failures().isEmpty());
        return delivery.messageId();
    }

    @Test
    void aFailureReportedAnHourAfterARestartReachesItsAuthorOnce() throws Exception {
        BridgeMessageId id = pendingDeliveryThenStop();

        MappingDatabase db = openDb();
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter sip = new RecordingAdapter("sip");
        startRouter(db, xmpp, sip);
        clock.advance(Duration.ofHours(1));
        sip.context().outcomes().failed(id, S, "the phone did not come back");
        DeliveryFailure failure = xmpp.awaitFailures(1, T).get(0);
        assertEquals("are you there?", ((MessageEvent) failure.event()).body().plain());
        assertEquals("alice@example.org", failure.event().sender().user().value());
        assertEquals(S, failure.target());

        sip.context().outcomes().failed(id, S, "again");
        eventually(() -> db.stores().lateOutcomes().unreported().isEmpty());
        assertEquals(1, xmpp.failures().size());
    }

    @Test
    void aFailureSettledButNotReportedBeforeAStopIsReportedAtTheNextStartOnce() throws Exception {
        BridgeMessageId id = pendingDeliveryThenStop();
        // The failure is settled while no router runs (as if the appliance died right after settling it).
        MappingDatabase db = openDb();
        assertTrue(db.stores().lateOutcomes().settle(id, S, Outcome.failed("queue expired"),
                clock.instant().plus(Duration.ofHours(1))).isPresent());

        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter sip = new RecordingAdapter("sip");
        startRouter(db, xmpp, sip);
        assertEquals("queue expired", xmpp.awaitFailures(1, T).get(0).reason());
        eventually(() -> db.stores().lateOutcomes().unreported().isEmpty());
        sip.context().outcomes().failed(id, S, "again");
        assertEquals(1, xmpp.failures().size());
    }

    @Test
    void theJdbcStoreKeepsOneStatePerKey() {
        LateOutcomeStore store = openDb().stores().lateOutcomes();
        var event = TestEvents.in(X).from("alice@example.org").text("x1", "hi");
        BridgeMessageId a = new BridgeMessageId("a");
        BridgeMessageId b = new BridgeMessageId("b");
        Instant now = clock.instant();
        var pendingA = new LateOutcomeStore.Pending(a, org.bridgeappliance.core.id.RoomId.of("r1"), S, event, 2, now);

        assertEquals(Optional.empty(), store.await(pendingA));
        assertEquals(Optional.empty(), store.await(pendingA), "awaiting twice changes nothing");
        var failure = store.settle(a, S, Outcome.failed("x"), now).orElseThrow();
        assertEquals(2, failure.delivery().attempts());
        assertEquals(event, failure.delivery().event());
        assertEquals(Optional.empty(), store.settle(a, S, Outcome.failed("y"), now), "settled once");
        assertEquals(1, store.unreported().size());
        store.reported(a, S);
        assertTrue(store.unreported().isEmpty());

        // An outcome before the pending record: kept, and applied by await.
        assertEquals(Optional.empty(), store.settle(b, S, Outcome.failed("early"), now));
        var pendingB = new LateOutcomeStore.Pending(b, org.bridgeappliance.core.id.RoomId.of("r1"), S, event, 1, now);
        assertEquals(Optional.of(Outcome.failed("early")), store.await(pendingB));
        assertEquals("early", store.unreported().get(0).reason());
        assertEquals(0, store.forgetBefore(now.plusSeconds(60)), "unreported failures outlive retention");

        // Early success; and retention of keys nobody settles.
        assertEquals(Optional.empty(), store.settle(new BridgeMessageId("c"), S, Outcome.DELIVERED, now));
        assertEquals(Optional.empty(), store.await(new LateOutcomeStore.Pending(new BridgeMessageId("d"),
                org.bridgeappliance.core.id.RoomId.of("r1"), S, event, 1, now)));
        assertEquals(2, store.forgetBefore(now.plusSeconds(60)));
    }

    private static void eventually(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + T);
            // A polling interval, not a synchronisation: each poll is a database query.
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }
}
