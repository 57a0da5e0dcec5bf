package org.bridgeappliance.adapter.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A MUC message's canonical id is the room's stanza-id (XEP-0359); XEP-0308 corrections and
 * XEP-0424 retractions name the sender's own id. The alias between them must outlive the adapter:
 * the adapter is built twice over the same stores (an appliance restart) and a correction of a
 * message sent before the restart must still reach it.
 */
class MucAliasRestartTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String ROOM = "room@conference.xmpp.test";
    static final String LISTENER = "matrix.xmpp.test/muc-listener";
    static final UserRef ALICE = UserRef.of("xmpp", "alice@xmpp.test");
    static final UserRef MALLORY = UserRef.of("xmpp", "mallory@xmpp.test");

    FakeComponentServer server;
    XmppAdapter adapter;
    FakeComponentServer.Peer peer;
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
    final BlockingQueue<AdapterState> states = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (adapter != null) {
            stop();
        }
        server.close();
    }

    @Test
    void aCorrectionAndARetractionOfAMessageSentBeforeARestartStillResolve() throws Exception {
        BridgeStores stores = InMemoryStores.create();
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);

        start(stores);
        MessageEvent original = (MessageEvent) send("<message from='" + ROOM + "/alice' to='" + LISTENER
                + "' type='groupchat' id='a1'><body>helo</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-1'/></message>");
        assertEquals(Optional.of(RemoteMessageId.of("room-sid-1")), original.remoteId());
        restart(stores);

        EditEvent edit = assertInstanceOf(EditEvent.class, send("<message from='" + ROOM + "/alice' to='" + LISTENER
                + "' type='groupchat' id='a2'><body>hello</body>"
                + "<replace xmlns='urn:xmpp:message-correct:0' id='a1'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-2'/></message>"));
        assertEquals(ALICE, edit.sender());
        assertEquals(RemoteMessageId.of("room-sid-1"), edit.target(), "the sender's id maps to the stanza-id");

        // A second sender reusing alice's id must never reach her message.
        EditEvent forged = assertInstanceOf(EditEvent.class, send("<message from='" + ROOM + "/mallory' to='"
                + LISTENER + "' type='groupchat' id='m1'><body>pwned</body>"
                + "<replace xmlns='urn:xmpp:message-correct:0' id='a1'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-3'/></message>"));
        assertEquals(MALLORY, forged.sender());
        assertEquals(RemoteMessageId.of("a1"), forged.target(), "left unresolved: the core finds nothing");

        // XEP-0424 by origin-id, after a second restart (the cache is empty again).
        restart(stores);
        RetractionEvent retraction = assertInstanceOf(RetractionEvent.class, send("<message from='" + ROOM
                + "/alice' to='" + LISTENER + "' type='groupchat' id='a3'>"
                + "<retract xmlns='urn:xmpp:message-retract:1' id='o1'/><body>retracted</body>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-4'/></message>"));
        assertEquals(RemoteMessageId.of("room-sid-1"), retraction.target());
        assertTrue(!retraction.moderation());
        assertEquals(Optional.of(RemoteMessageId.of("room-sid-1")),
                stores.aliases().resolve(Portal.of("xmpp", ROOM), ALICE, RemoteMessageId.of("a1")));
    }

    @Test
    void withoutAPersistentAliasStoreTheCorrectionIsLostAtARestart() throws Exception {
        // The control: the same script over a store set that keeps no aliases shows what the test guards.
        BridgeStores memory = InMemoryStores.create();
        BridgeStores stores = new BridgeStores(memory.rooms(), memory.messages(), memory.reactions(), memory.outbox(),
                memory.puppets(), memory.identities(), memory.transactions(), memory.archive(), MessageAliasStore.NONE);
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);

        start(stores);
        send("<message from='" + ROOM + "/alice' to='" + LISTENER + "' type='groupchat' id='a1'><body>helo</body>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-1'/></message>");
        String correction = "<message from='" + ROOM + "/alice' to='" + LISTENER + "' type='groupchat' id='a2'>"
                + "<body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='a1'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-2'/></message>";
        assertEquals(RemoteMessageId.of("room-sid-1"), ((EditEvent) send(correction)).target(), "cached before");
        restart(stores);
        assertEquals(RemoteMessageId.of("a1"), ((EditEvent) send(correction)).target(), "gone after the restart");
    }

    private void restart(BridgeStores stores) throws Exception {
        stop();
        start(stores);
    }

    /** Stops the adapter; the server side closes the stream as soon as the adapter has (no close grace wait). */
    private void stop() throws Exception {
        XmppAdapter stopping = adapter;
        adapter = null;
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(stopping::stop);
        peer.readUntil(Pattern.compile("</stream:stream>"), WAIT);
        peer.close();
        stopped.get(WAIT.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    /** Starts an adapter over {@code stores} and brings its listener into the room with alice and mallory in it. */
    private void start(BridgeStores stores) throws Exception {
        states.clear();
        adapter = new XmppAdapter(new XmppSettings(true, "127.0.0.1", server.port(), "secret", "xmpp.test",
                "conference.xmpp.test", "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5),
                "Matrix bridge", true, 20), () -> 0.5);
        EventIngress ingress = event -> {
            submitted.add(event);
            return EventIngress.Acceptance.QUEUED;
        };
        PortalCoordinator none = new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                return Optional.empty();
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                return Optional.empty();
            }
        };
        adapter.start(new AdapterContext(ingress, (n, s) -> states.add(s), stores, Clock.systemUTC(), none));
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
        peer.readUntil(Pattern.compile("<presence(?=[^>]*from='" + Pattern.quote(LISTENER) + "')[^>]*to='" + ROOM
                + "/Matrix bridge'"), WAIT);
        // The roster first (present before the listener: no joins to report), then the self-presence.
        for (String who : List.of("alice", "mallory")) {
            peer.send("<presence from='" + ROOM + "/" + who + "' to='" + LISTENER + "'>"
                    + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' "
                    + "jid='" + who + "@xmpp.test/phone'/></x></presence>");
        }
        peer.send("<presence from='" + ROOM + "/Matrix bridge' to='" + LISTENER + "'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (adapter.mucs().listener(ROOM).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("listener not elected: " + peer.received());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll, bounded by the deadline
        }
    }

    /**
     * Sends a stanza from the room and returns the one event it was submitted as (after the joins the listener
     * announces for occupants already present, which this test is not about).
     */
    private BridgeEvent send(String xml) throws Exception {
        peer.send(xml);
        while (true) {
            BridgeEvent e = submitted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(e, "nothing submitted for " + xml + "\nALL: " + peer.received());
            if (!(e instanceof org.bridgeappliance.core.model.MembershipEvent m)
                    || m.membership() != org.bridgeappliance.core.model.MembershipEvent.Membership.JOIN) {
                return e;
            }
        }
    }
}
