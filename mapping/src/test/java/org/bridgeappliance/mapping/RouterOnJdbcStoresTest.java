package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's real router on these JDBC stores and an H2 file: what DESIGN.md's users lost with
 * other bridges (ids lost on restart, duplicates) must not happen across a real close and reopen.
 */
class RouterOnJdbcStoresTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final Portal S = Portal.of("sip", "sip:room@bridge.example");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    @TempDir
    Path dir;
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

    private Router startRouter(BridgeStores stores, RouterConfig config, RecordingAdapter... adapters) {
        Router router = new Router(stores, List.of(adapters), config, Clock.systemUTC());
        open.add(router);
        router.start();
        return router;
    }

    @Test
    void deliversRecordsAndScopesEditsByAuthor() {
        MappingDatabase db = openDb();
        BridgeStores stores = db.stores();
        stores.rooms().create("lobby", List.of(X, M, S), true);
        RecordingAdapter xmpp = new RecordingAdapter("xmpp");
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        RecordingAdapter sip = new RecordingAdapter("sip").withCapabilities(RoomCapabilities.PLAIN_TEXT);
        Router router = startRouter(stores, FAST, xmpp, matrix, sip);
        var alice = org.bridgeappliance.core.testing.TestEvents.in(X).from("alice@example.org");
        var mallory = org.bridgeappliance.core.testing.TestEvents.in(X).from("mallory@example.org");

        assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "hello")));
        Delivery toMatrix = matrix.awaitDeliveries(1, T).get(0);
        sip.awaitDeliveries(1, T);
        eventually(() -> stores.outbox().pending().isEmpty(), "outbox completed");
        List<MessageMapping> copies = stores.messages().copies(toMatrix.messageId());
        assertEquals(3, copies.size(), copies::toString);

        assertEquals(Acceptance.DUPLICATE, router.submit(alice.text("x1", "hello")), "same sender, same id");
        assertEquals(Acceptance.UNKNOWN_REFERENCE, router.submit(mallory.edit("x2", "x1", "pwned")),
                "another sender cannot edit Alice's message by reusing its id");
        assertEquals(Acceptance.QUEUED, router.submit(alice.edit("x3", "x1", "hello, world")));
        Delivery edit = matrix.awaitDeliveries(2, T).get(1);
        assertEquals("hello, world", ((EditEvent) edit.event()).newBody().plain());
    }

    @Test
    void aRestartOnTheSameFileDeliversWhatWasPendingExactlyOnce() throws Exception {
        MappingDatabase db = openDb();
        db.stores().rooms().create("lobby", List.of(X, M, S), true);
        RecordingAdapter sip = new RecordingAdapter("sip").withCapabilities(RoomCapabilities.PLAIN_TEXT)
                .withStateAtStart(AdapterState.Status.RECONNECTING);
        RecordingAdapter matrix = new RecordingAdapter("matrix");
        Router router = startRouter(db.stores(), new RouterConfig(3, Duration.ofSeconds(1), Duration.ofSeconds(5), 100,
                Duration.ofMillis(50)), new RecordingAdapter("xmpp"), matrix, sip);
        MessageEvent event = org.bridgeappliance.core.testing.TestEvents.in(X).text("x1", "pending");
        router.submit(event);
        matrix.awaitDeliveries(1, T);
        eventually(() -> db.stores().outbox().pending().size() == 1
                && db.stores().outbox().pending().get(0).delivered().equals(Set.of(M)), "matrix marked done");
        router.close();
        db.close();

        MappingDatabase reopened = openDb();
        RecordingAdapter matrix2 = new RecordingAdapter("matrix");
        RecordingAdapter sip2 = new RecordingAdapter("sip").withCapabilities(RoomCapabilities.PLAIN_TEXT);
        Router second = startRouter(reopened.stores(), FAST, new RecordingAdapter("xmpp"), matrix2, sip2);

        assertEquals("pending", ((MessageEvent) sip2.awaitDeliveries(1, T).get(0).event()).body().plain());
        eventually(() -> reopened.stores().outbox().pending().isEmpty(), "completed after the restart");
        assertTrue(matrix2.attempts().isEmpty(), "no second copy to the portal already done");
        assertTrue(sip.attempts().isEmpty());
        assertEquals(Acceptance.DUPLICATE, second.submit(event), "the id map survived the restart");
    }

    private static void eventually(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            // A polling interval, not a synchronisation: each poll is a database query.
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }
}
