package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the appliance wires (MappingDatabase.stores() into the router) archives the conversation durably. */
class RouterArchiveOnJdbcTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Portal M = Portal.of("matrix", "!room:example");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    @TempDir
    Path dir;

    @Test
    void acceptedMessagesEditsAndRetractionsAreArchivedAndSurviveARestart() {
        BridgedRoom room;
        Delivery first;
        try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            room = db.stores().rooms().create("lobby", List.of(X, M), true);
            RecordingAdapter xmpp = new RecordingAdapter("xmpp");
            RecordingAdapter matrix = new RecordingAdapter("matrix");
            try (Router router = new Router(db.stores(), List.of(xmpp, matrix), FAST, Clock.systemUTC())) {
                router.start();
                TestEvents alice = TestEvents.in(X).from("alice@example.org").named("Alice");
                TestEvents bob = TestEvents.in(M).from("@bob:example.org").named("Bob");
                assertEquals(Acceptance.QUEUED, router.submit(alice.text("x1", "hello")));
                assertEquals(Acceptance.QUEUED, router.submit(bob.text("$1", "hi alice")));
                assertEquals(Acceptance.QUEUED, router.submit(alice.text("x2", "tpyo")));
                assertEquals(Acceptance.QUEUED, router.submit(alice.edit("x3", "x2", "typo")));
                assertEquals(Acceptance.QUEUED, router.submit(bob.text("$2", "oops")));
                assertEquals(Acceptance.QUEUED, router.submit(bob.retract("$3", "$2")));
                first = matrix.awaitDeliveries(3, T).get(0);
            }
        }
        try (MappingDatabase db = MappingDatabase.openH2File(dir, new PasswordHasher(TestDatabases.TEST_ITERATIONS))) {
            List<ArchivedMessage> history = db.stores().archive().query(ArchiveQuery.newest(room.id(), 10));
            assertEquals(List.of("hello", "hi alice", "typo"), history.stream().map(m -> m.body().plain()).toList());
            assertEquals(List.of("Alice", "Bob", "Alice"), history.stream().map(ArchivedMessage::displayName).toList());
            assertEquals(first.messageId(), history.get(0).id(), "under the canonical id");
            List<ArchivedMessage> all = db.stores().archive().query(ArchiveQuery.newest(room.id(), 10)
                    .includeRetracted(true));
            assertEquals(4, all.size());
            assertTrue(all.get(3).retracted());
        }
    }
}
