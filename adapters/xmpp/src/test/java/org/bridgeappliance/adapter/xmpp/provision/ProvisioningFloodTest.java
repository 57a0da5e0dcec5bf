package org.bridgeappliance.adapter.xmpp.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.XmppAdapter;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.adapter.xmpp.testing.LimitsBuilder;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 7: opening gateway rooms and 1:1 chats on the other network (Client-Server calls of up to 20 s × 4)
 * must not run on the XMPP inbound thread. The coordinator here blocks like an unreachable homeserver; the adapter
 * runs against a scripted component port.
 */
class ProvisioningFloodTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String PUPPET = "bob%matrix.test@matrix.xmpp.test";

    FakeComponentServer server;
    XmppAdapter adapter;
    final BridgeStores stores = InMemoryStores.create();
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
    FakeComponentServer.Peer peer;
    /** Released at the end of each test: the "homeserver" answers every blocked call then. */
    final CountDownLatch homeserver = new CountDownLatch(1);
    final AtomicInteger gatewayCalls = new AtomicInteger();
    final AtomicInteger directCalls = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
    }

    @AfterEach
    void tearDown() throws Exception {
        homeserver.countDown();
        if (adapter != null) {
            adapter.stop();
        }
        server.close();
    }

    void start(PortalCoordinator coordinator) throws Exception {
        adapter = new XmppAdapter(LimitsBuilder.settings(server.port()), () -> 0.5);
        adapter.setLimits(new LimitsBuilder().build());
        EventIngress ingress = event -> {
            submitted.add(event);
            return EventIngress.Acceptance.QUEUED;
        };
        adapter.start(new AdapterContext(ingress, (n, s) -> { }, stores, Clock.systemUTC(), coordinator));
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
        // The stream is up once the component answers a ping.
        peer.send("<iq type='get' id='up' from='xmpp.test' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        expect("<iq[^>]*id='up'");
    }

    /**
     * Rooms named {@code #dead...} block until {@link #homeserver} is released and then do not exist; other rooms
     * and every 1:1 chat are mapped when {@code #homeserver} is released too if {@code blockAll}.
     */
    PortalCoordinator coordinator(boolean blockAll) {
        return new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                directCalls.incrementAndGet();
                if (blockAll) {
                    await();
                }
                return Optional.of(stores.rooms().create("dm", List.of(origin, Portal.of("matrix", "!dm:matrix.test")),
                        true));
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                gatewayCalls.incrementAndGet();
                if (blockAll || address.startsWith("#dead")) {
                    await();
                }
                if (address.startsWith("#dead")) {
                    return Optional.empty();
                }
                return Optional.of(stores.rooms().create(address, List.of(origin, Portal.of("matrix", "!gw:matrix.test")),
                        true));
            }
        };
    }

    void await() {
        try {
            homeserver.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Matcher expect(String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    /** How often {@code regex} occurs in everything the component sent, waiting up to WAIT for {@code n}. */
    int awaitCount(String regex, int n) throws Exception {
        Pattern p = Pattern.compile(regex, Pattern.DOTALL);
        long deadline = System.nanoTime() + WAIT.toNanos();
        int count;
        do {
            try {
                peer.readUntil(Pattern.compile("(?!)"), Duration.ofMillis(100)); // reads whatever arrives meanwhile
            } catch (AssertionError expectedTimeout) {
                // nothing to match: it only pumps the socket
            }
            Matcher m = p.matcher(peer.received());
            count = 0;
            while (m.find()) {
                count++;
            }
        } while (count < n && System.nanoTime() < deadline);
        return count;
    }

    BridgeEvent nextEvent() throws InterruptedException {
        BridgeEvent e = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(e, "nothing submitted within " + WAIT);
        return e;
    }

    static String join(String from, String room, String nick, String id) {
        return "<presence from='" + from + "' to='" + room + "@matrix.xmpp.test/" + nick + "' id='" + id + "'>"
                + "<x xmlns='http://jabber.org/protocol/muc'/></presence>";
    }

    @Test
    void joinsToUnreachableRoomsDoNotStopOtherTraffic() throws Exception {
        start(coordinator(false));
        // alice's chat with bob exists already: her messages need no provisioning.
        stores.rooms().create("dm", List.of(Portal.of("xmpp", "dm:alice@xmpp.test " + PUPPET),
                Portal.of("matrix", "!alice-bob:matrix.test")), true);
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            flood.append(join("mallory@xmpp.test/x", "#dead" + i + "%matrix.test", "m", "j" + i));
        }
        peer.send(flood.toString());
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='ok1'><body>still here</body>"
                + "<request xmlns='urn:xmpp:receipts'/></message>");

        MessageEvent m = assertInstanceOf(MessageEvent.class, nextEvent(), "alice's message while the flood waits");
        assertEquals("still here", m.body().plain());
        expect("<received xmlns='urn:xmpp:receipts' id='ok1'/>");
        // Nothing is dropped silently: mallory's joins beyond her allowance are refused at once (type wait).
        int burst = XmppLimits.defaults().provisionBurst();
        assertEquals(100 - burst, awaitCount("<presence[^>]*type='error'[^>]*>.*?<resource-constraint", 100 - burst),
                peer.received());
        assertTrue(gatewayCalls.get() <= burst, "beyond her allowance nothing reaches the homeserver");
        // The homeserver answers at last: the rooms do not exist, and each remaining join says so.
        homeserver.countDown();
        assertEquals(burst, awaitCount("<presence[^>]*type='error'[^>]*>.*?<item-not-found", burst), peer.received());
        assertEquals(burst, gatewayCalls.get(), "only her allowance reached the homeserver");
    }

    @Test
    void aMessageRightAfterTheJoinDoesNotOvertakeIt() throws Exception {
        start(coordinator(true));
        String room = "#lobby%matrix.test";
        peer.send(join("carol@xmpp.test/pc", room, "carol", "j1"));
        peer.send("<message from='carol@xmpp.test/pc' to='" + room + "@matrix.xmpp.test' type='groupchat' id='c1'>"
                + "<body>first words</body></message>");
        // The inbound thread is free meanwhile: a ping is answered while the room is still being opened.
        peer.send("<iq type='get' id='p1' from='carol@xmpp.test/pc' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        expect("<iq[^>]*id='p1'[^>]*type='result'|<iq[^>]*type='result'[^>]*id='p1'");
        homeserver.countDown();
        Matcher self = expect("<presence[^>]*from='" + Pattern.quote(room) + "@matrix.xmpp.test/carol'.*?</presence>");
        assertTrue(self.group().contains("code='110'"), self.group());
        expect("<message[^>]*id='c1'.*?first words");
        assertEquals(MembershipEvent.Membership.JOIN, assertInstanceOf(MembershipEvent.class, nextEvent()).membership());
        assertEquals("first words", assertInstanceOf(MessageEvent.class, nextEvent()).body().plain());
        assertEquals(1, gatewayCalls.get());
    }

    @Test
    void aFirstDmIsOpenedOffTheInboundThreadAndTheSecondMessageStaysSecond() throws Exception {
        start(coordinator(true));
        peer.send("<message from='dave@xmpp.test/pc' to='" + PUPPET + "' type='chat' id='d1'><body>one</body></message>");
        peer.send("<message from='dave@xmpp.test/pc' to='" + PUPPET + "' type='chat' id='d2'><body>two</body></message>");
        peer.send("<iq type='get' id='p2' from='dave@xmpp.test/pc' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        expect("<iq[^>]*id='p2'[^>]*type='result'|<iq[^>]*type='result'[^>]*id='p2'");
        homeserver.countDown();
        assertEquals("one", assertInstanceOf(MessageEvent.class, nextEvent()).body().plain());
        assertEquals("two", assertInstanceOf(MessageEvent.class, nextEvent()).body().plain());
        assertEquals(1, directCalls.get(), "one chat opened for both messages");
    }

    @Test
    void aRoomThatCouldNotBeOpenedIsAnsweredFromCacheWithoutAskingAgain() throws Exception {
        start(coordinator(false));
        homeserver.countDown();
        peer.send(join("erin@xmpp.test/pc", "#dead-x%matrix.test", "erin", "e1"));
        expect("<presence[^>]*id='e1'[^>]*type='error'.*?<item-not-found|<presence[^>]*type='error'[^>]*id='e1'.*?<item-not-found");
        peer.send(join("frank@xmpp.test/pc", "#dead-x%matrix.test", "frank", "f1"));
        expect("<presence[^>]*id='f1'[^>]*type='error'.*?<item-not-found|<presence[^>]*type='error'[^>]*id='f1'.*?<item-not-found");
        assertEquals(1, gatewayCalls.get(), "the second join was answered from the negative cache");
    }
}
