package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.adapter.matrix.appservice.AppServiceHandler;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Matrix strips a redacted reaction's content: removing a reaction added before a restart must still
 * become a reaction removal, resolved through the reaction store (the adapter is built twice over the
 * same stores, as after an appliance restart). The adapter submits through the core's real router,
 * which records the origin side of reactions (the adapter does not write them).
 */
class ReactionRedactionAfterRestartTest {
    static final String ROOM = "!room:matrix.test";
    static final Portal MATRIX_ROOM = Portal.of("matrix", ROOM);
    static final UserRef ALICE = UserRef.of("matrix", "@alice:matrix.test");
    static final BridgeMessageId CANONICAL = BridgeMessageId.of("c1");

    final BridgeStores stores = InMemoryStores.create();
    MatrixAdapter adapter;
    Router router;
    int txn;

    @BeforeEach
    void knownMessage() {
        stores.rooms().create("lobby", List.of(MATRIX_ROOM, Portal.of("xmpp", "room@muc.example")), true);
        router = new Router(stores, List.of(new RecordingAdapter("xmpp")), RouterConfig.defaults(), Clock.systemUTC());
        router.start();
        // The reacted-to message, as the router records it: its Matrix copy is $orig.
        stores.messages().record(List.of(new MessageMapping(CANONICAL, RoomId.of("r1"), MATRIX_ROOM, ALICE,
                RemoteMessageId.of("$orig"), 0, true, Instant.parse("2026-11-26T08:00:00Z"))));
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
        router.close();
    }

    /** Records what the adapter submits and hands it to the router. */
    static final class RoutedIngress implements EventIngress {
        final List<BridgeEvent> events = new CopyOnWriteArrayList<>();
        private final Router router;

        RoutedIngress(Router router) {
            this.router = router;
        }

        @Override
        public Acceptance submit(BridgeEvent event) {
            events.add(event);
            return router.submit(event);
        }
    }

    private RoutedIngress startAdapter() {
        MatrixConfig config = new MatrixConfig();
        config.setGhostNetworks(java.util.List.of("xmpp", "sip")); // the appliance derives these from its configuration
        config.setEnabled(true);
        config.setAsToken("as-token");
        config.setHsToken("hs-token");
        config.setHealthProbeInterval(Duration.ofSeconds(30));
        config.setMaxAttempts(1);
        FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
        adapter = new MatrixAdapter(config, c -> homeserver);
        RoutedIngress ingress = new RoutedIngress(router);
        adapter.start(new AdapterContext(ingress, (n, s) -> { }, stores, Clock.systemUTC()));
        return ingress;
    }

    private void push(String event) {
        AppServiceHandler handler = adapter.appService().orElseThrow();
        AppServiceHandler.Reply reply = handler.transaction("t" + (++txn), "Bearer hs-token", null,
                ("{\"events\":[" + event + "]}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, reply.status(), String.valueOf(reply.body()));
    }

    private static final String REACTION = """
            {"type":"m.reaction","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$react1",
             "origin_server_ts":1,"content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$orig","key":"👍"}}}
            """;
    private static final String REDACTION = """
            {"type":"m.room.redaction","room_id":"!room:matrix.test","sender":"@alice:matrix.test",
             "event_id":"$redact1","origin_server_ts":2,"redacts":"$react1","content":{}}
            """;

    @Test
    void redactionOfAReactionAddedBeforeARestartRemovesIt() {
        RoutedIngress before = startAdapter();
        push(REACTION);
        ReactionEvent added = assertInstanceOf(ReactionEvent.class, only(before.events));
        assertTrue(added.added());
        assertEquals(Optional.of(new ReactionMapping(CANONICAL, MATRIX_ROOM, ALICE, "👍", RemoteMessageId.of("$react1"))),
                stores.reactions().findByRemoteId(MATRIX_ROOM, RemoteMessageId.of("$react1")),
                "the Matrix user's own reaction is kept under its event id");
        adapter.stop();

        RoutedIngress after = startAdapter();
        push(REDACTION);
        ReactionEvent removed = assertInstanceOf(ReactionEvent.class, only(after.events));
        assertEquals(false, removed.added());
        assertEquals("👍", removed.key());
        assertEquals(RemoteMessageId.of("$orig"), removed.target());
        assertEquals(ALICE, removed.sender());
        assertEquals(MATRIX_ROOM, removed.origin());
        assertEquals(Optional.empty(), stores.reactions().findByRemoteId(MATRIX_ROOM, RemoteMessageId.of("$react1")),
                "forgotten once removed");
    }

    @Test
    void redactionOfAnUnknownEventStaysARetraction() {
        RoutedIngress ingress = startAdapter();
        push(REDACTION);
        RetractionEvent retraction = assertInstanceOf(RetractionEvent.class, only(ingress.events));
        assertEquals(RemoteMessageId.of("$react1"), retraction.target());
    }

    private static BridgeEvent only(List<BridgeEvent> events) {
        assertEquals(1, events.size(), events.toString());
        return events.get(0);
    }
}
