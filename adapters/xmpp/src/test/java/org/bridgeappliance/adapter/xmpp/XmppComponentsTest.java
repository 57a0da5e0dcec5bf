package org.bridgeappliance.adapter.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.micronaut.context.ApplicationContext;
import org.bridgeappliance.adapter.xmpp.address.ComponentDomain;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two component streams, one per foreign network (Matrix on matrix.xmpp.test, SIP on sip.xmpp.test): each
 * authenticates as its own domain, answers disco with its own identity, carries its own network's puppets, and
 * the adapter is CONNECTED only while both are.
 */
class XmppComponentsTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String SIP_PUPPET = "sip+erin\\40sip.test@sip.xmpp.test";

    FakeComponentServer server;
    XmppAdapter adapter;
    final BlockingQueue<AdapterState> states = new LinkedBlockingQueue<>();
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
    final org.bridgeappliance.core.store.BridgeStores stores = InMemoryStores.create();
    FakeComponentServer.Peer matrixPeer;
    FakeComponentServer.Peer sipPeer;
    final BlockingQueue<String> gatewayRequests = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        server.close();
    }

    XmppSettings settings() {
        return new XmppSettings(true, "127.0.0.1", server.port(), "secret", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5), "Matrix bridge", true, 20);
    }

    void start() throws Exception {
        adapter = new XmppAdapter(settings(), () -> 0.5);
        adapter.setComponents(List.of(
                new XmppComponent(ComponentDomain.legacy("matrix.xmpp.test"), "secret", null),
                new XmppComponent(new ComponentDomain("sip", "sip.xmpp.test", ComponentDomain.IdForm.PREFIXED),
                        "secret", null)));
        // A coordinator that maps every 1:1 chat it is asked for, as the router does when the SIP side answers.
        PortalCoordinator coordinator = new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                return Optional.of(stores.rooms().create("dm", List.of(origin, Portal.of("sip", "dm:erin")), true));
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                gatewayRequests.add(target.value() + " " + address);
                return Optional.of(stores.rooms().create(address, List.of(origin, Portal.of(target.value(), address)),
                        true));
            }
        };
        adapter.start(new AdapterContext(event -> {
            submitted.add(event);
            return EventIngress.Acceptance.QUEUED;
        }, (n, s) -> states.add(s), stores, Clock.systemUTC(), coordinator,
                org.bridgeappliance.core.port.Addressing.NONE, org.bridgeappliance.core.port.DeliveryOutcomes.NONE,
                org.bridgeappliance.core.port.PresenceDirectory.NONE, org.bridgeappliance.core.port.EarlyCopies.NONE));
        List<FakeComponentServer.Peer> peers = new ArrayList<>();
        peers.add(server.awaitPeer(WAIT));
        peers.add(server.awaitPeer(WAIT));
        for (FakeComponentServer.Peer p : peers) {
            assertTrue(p.authenticated());
            if (p.received().contains("to='sip.xmpp.test'")) {
                sipPeer = p;
            } else if (p.received().contains("to='matrix.xmpp.test'")) {
                matrixPeer = p;
            }
        }
        assertNotNull(sipPeer, "a stream as sip.xmpp.test");
        assertNotNull(matrixPeer, "a stream as matrix.xmpp.test");
        awaitStatus(AdapterState.Status.CONNECTED);
    }

    void awaitStatus(AdapterState.Status status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (adapter.state().status() == status) {
                return;
            }
            states.poll(50, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("state " + status + " not reached: " + adapter.state());
    }

    static Matcher expect(FakeComponentServer.Peer peer, String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    static Delivery delivery(String id, MessageEvent event) {
        return new Delivery(BridgeMessageId.of(id), RoomId.of("r"), new Portal(XmppAdapter.NETWORK,
                RemoteRoomId.of("dm:alice@xmpp.test " + SIP_PUPPET)), event, Optional.empty(), Optional.empty(), 1);
    }

    @Test
    void eachComponentAnswersDiscoWithItsOwnIdentity() throws Exception {
        start();
        sipPeer.send("<iq type='get' id='s1' from='alice@xmpp.test/phone' to='sip.xmpp.test'>"
                + "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        String sip = expect(sipPeer, "<iq[^>]*id='s1'.*?</iq>").group();
        assertTrue(sip.contains("type='sip'") && sip.contains("name='SIP bridge'") && sip.contains("from='sip.xmpp.test'"),
                sip);
        assertTrue(sip.contains("category='conference' name='SIP rooms' type='text'"), sip);
        matrixPeer.send("<iq type='get' id='m1' from='alice@xmpp.test/phone' to='matrix.xmpp.test'>"
                + "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        String matrix = expect(matrixPeer, "<iq[^>]*id='m1'.*?</iq>").group();
        assertTrue(matrix.contains("type='matrix'") && matrix.contains("name='Matrix bridge'"), matrix);
        // A SIP person's puppet answers as a SIP user, on the SIP stream.
        sipPeer.send("<iq type='get' id='s2' from='alice@xmpp.test/phone' to='" + SIP_PUPPET + "'>"
                + "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        String puppet = expect(sipPeer, "<iq[^>]*id='s2'.*?</iq>").group();
        assertTrue(puppet.contains("category='client' name='SIP user' type='bridge'"), puppet);
    }

    @Test
    void aMessageToASipPuppetReachesTheRouterAndRepliesLeaveOnTheSipStream() throws Exception {
        start();
        sipPeer.send("<message from='alice@xmpp.test/phone' to='" + SIP_PUPPET + "' type='chat' id='c1'>"
                + "<body>hello erin</body></message>");
        BridgeEvent event = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(event, "nothing submitted");
        MessageEvent m = (MessageEvent) event;
        assertEquals("hello erin", m.body().plain());
        assertEquals("dm:alice@xmpp.test " + SIP_PUPPET, m.origin().room().value());
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), m.sender());

        // A message of the SIP person goes out from their puppet, on the SIP stream (Prosody refuses it on another).
        UserRef erin = UserRef.of("sip", "erin@sip.test");
        var meta = new EventMeta(Portal.of("sip", "dm"), erin, Profile.named("Erin"), Optional.empty(), Instant.now());
        var reply = new MessageEvent(meta, MessageKind.TEXT, MessageBody.plain("hi alice"), List.of(),
                Optional.empty());
        adapter.deliver(delivery("r1", reply));
        String out = expect(sipPeer, "<message[^>]*to='alice@xmpp.test'.*?</message>").group();
        assertTrue(out.contains("from='" + SIP_PUPPET), out);
        assertTrue(out.contains("hi alice"), out);
        assertTrue(!matrixPeer.received().contains("hi alice"), "nothing of SIP's on the Matrix stream");
    }

    @Test
    void aGatewayRoomOnTheSipDomainIsAskedOfTheSipNetwork() throws Exception {
        start();
        String room = "#sip\\3alobby\\40rooms.bridge.sip.test@sip.xmpp.test";
        sipPeer.send("<presence from='alice@xmpp.test/phone' to='" + room + "/alice'>"
                + "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
        assertEquals("sip sip:lobby@rooms.bridge.sip.test", gatewayRequests.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        // The joiner's self-presence comes from the room, on the SIP stream.
        String self = expect(sipPeer, "<presence[^>]*from='" + Pattern.quote(room) + "/alice'.*?</presence>").group();
        assertTrue(self.contains("code='110'"), self);
    }

    @Test
    void connectedOnlyWhileEveryStreamIsAndTheDetailNamesTheOneDown() throws Exception {
        start();
        assertTrue(adapter.isBridgeUser(RemoteUserId.of(SIP_PUPPET)));
        assertTrue(adapter.isBridgeUser(RemoteUserId.of("bob%matrix.test@matrix.xmpp.test")));
        server.acceptHandshake(false); // the SIP stream cannot come back
        sipPeer.close();
        long deadline = System.nanoTime() + WAIT.toNanos();
        AdapterState s = adapter.state();
        while (System.nanoTime() < deadline && s.status() == AdapterState.Status.CONNECTED) {
            states.poll(50, TimeUnit.MILLISECONDS);
            s = adapter.state();
        }
        assertTrue(s.status() != AdapterState.Status.CONNECTED, s.toString());
        assertTrue(s.detail().contains("sip.xmpp.test") && !s.detail().contains("matrix.xmpp.test:"), s.detail());
        // A SIP person's delivery waits for the SIP stream; the Matrix stream is still up.
        UserRef erin = UserRef.of("sip", "erin@sip.test");
        var meta = new EventMeta(Portal.of("sip", "dm"), erin, Profile.named("Erin"), Optional.empty(), Instant.now());
        var reply = new MessageEvent(meta, MessageKind.TEXT, MessageBody.plain("hi"), List.of(), Optional.empty());
        org.junit.jupiter.api.Assertions.assertThrows(TransientDeliveryException.class,
                () -> adapter.deliver(delivery("r2", reply)));
    }

    @Test
    void aNetworkWithoutAComponentIsPuppetedOnTheDefaultDomainAndTheAdminIsTold() throws Exception {
        start();
        assertTrue(!adapter.state().detail().contains("irc"), adapter.state().detail());
        RemoteRoomId dm = adapter.ensureDirectChat(UserRef.of("irc", "nick@libera"), RemoteUserId.of("alice@xmpp.test"));
        assertEquals("dm:alice@xmpp.test irc+nick\\40libera@matrix.xmpp.test", dm.value());
        AdapterState s = adapter.state();
        assertEquals(AdapterState.Status.CONNECTED, s.status());
        assertTrue(s.detail().contains("people of irc appear on matrix.xmpp.test"), s.detail());
    }

    @Test
    void theOldSingleKeyIsTheMatrixComponentAndComponentsBindPerNetwork() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.component-domain", "matrix.example.org",
                "bridge.xmpp.secret", "s1", "bridge.xmpp.components.sip.domain", "sip.example.org",
                "bridge.xmpp.components.sip.secret", "s2"))) {
            List<XmppComponent> components = ctx.getBean(XmppAdapterBean.class).adapter().components();
            assertEquals(2, components.size(), components.toString());
            assertEquals(new XmppComponent(ComponentDomain.legacy("matrix.example.org"), "s1", "Matrix bridge"),
                    components.get(0));
            assertEquals(new XmppComponent(new ComponentDomain("sip", "sip.example.org",
                    ComponentDomain.IdForm.PREFIXED), "s2", "SIP bridge"), components.get(1));
        }
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.component-domain", "matrix.example.org"))) {
            assertEquals(List.of("matrix.example.org"), ctx.getBean(XmppAdapterBean.class).adapter().components()
                    .stream().map(XmppComponent::domain).toList());
        }
    }

    @Test
    void aComponentWithoutSecretOrTwiceTheSameDomainFailsTheStart() {
        adapter = new XmppAdapter(settings(), () -> 0.5);
        adapter.setComponents(List.of(new XmppComponent(ComponentDomain.legacy("matrix.xmpp.test"), "secret", null),
                new XmppComponent(new ComponentDomain("sip", "matrix.xmpp.test", ComponentDomain.IdForm.PREFIXED),
                        "", null)));
        adapter.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, s) -> states.add(s), stores,
                Clock.systemUTC()));
        AdapterState s = adapter.state();
        assertEquals(AdapterState.Status.FAILED, s.status());
        assertTrue(s.detail().contains("matrix.xmpp.test configured twice") && s.detail().contains("has no secret"),
                s.detail());
    }
}
