package org.bridgeappliance.adapter.xmpp;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
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
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adapter against a scripted component port: stanzas in, canonical events out, and back. */
class XmppAdapterTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String PUPPET = "bob%matrix.test@matrix.xmpp.test";
    static final String ROOM = "room@conference.xmpp.test";
    static final UserRef BOB = UserRef.of("matrix", "@bob:matrix.test");

    FakeComponentServer server;
    XmppAdapter adapter;
    BridgeStores stores;
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
    final BlockingQueue<AdapterState> states = new LinkedBlockingQueue<>();
    volatile Function<BridgeEvent, EventIngress.Acceptance> acceptance = e -> EventIngress.Acceptance.QUEUED;
    FakeComponentServer.Peer peer;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
        stores = InMemoryStores.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (adapter != null) {
            adapter.stop();
        }
        server.close();
    }

    Duration selfPing = Duration.ofMinutes(5);
    /** Where the adapter reports copies known before their receipt (the router in the appliance). */
    org.bridgeappliance.core.port.EarlyCopies copies = org.bridgeappliance.core.port.EarlyCopies.NONE;
    /** The gateway reaches rooms on matrix.test (the bean sets bridge.matrix.server-name; this test has no bean). */
    org.bridgeappliance.adapter.xmpp.limits.XmppLimits limits =
            org.bridgeappliance.adapter.xmpp.limits.XmppLimits.defaults().withMatrixServerName("matrix.test");

    XmppSettings settings(boolean enabled) {
        return new XmppSettings(enabled, "127.0.0.1", server.port(), "secret", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(3), selfPing, "Matrix bridge", true, 20);
    }

    void start(PortalCoordinator coordinator) throws Exception {
        adapter = new XmppAdapter(settings(true), () -> 0.5);
        adapter.setLimits(limits);
        EventIngress ingress = event -> {
            EventIngress.Acceptance a = acceptance.apply(event);
            submitted.add(event);
            return a;
        };
        adapter.start(new AdapterContext(ingress, (n, s) -> states.add(s), stores, Clock.systemUTC(), coordinator,
                org.bridgeappliance.core.port.Addressing.NONE, org.bridgeappliance.core.port.DeliveryOutcomes.NONE,
                org.bridgeappliance.core.port.PresenceDirectory.NONE, copies));
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
        awaitState(AdapterState.Status.CONNECTED);
    }

    /** A coordinator that maps every 1:1 chat it is asked for (as the real one does when Matrix answers). */
    PortalCoordinator mapping() {
        return new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                return Optional.of(stores.rooms().create("dm", List.of(origin, Portal.of("matrix", "!dm:matrix.test")),
                        true));
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                return Optional.of(stores.rooms().create(address, List.of(origin, Portal.of("matrix", "!gw:matrix.test")),
                        true));
            }
        };
    }

    void awaitState(AdapterState.Status status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            AdapterState s = states.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && s.status() == status) {
                return;
            }
            if (adapter != null && adapter.state().status() == status) {
                return;
            }
        }
        throw new AssertionError("state " + status + " not reached: " + adapter.state());
    }

    BridgeEvent nextEvent() throws InterruptedException {
        BridgeEvent e = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(e, "nothing submitted");
        return e;
    }

    Matcher expect(String regex, FakeComponentServer.Peer p) throws Exception {
        try {
            return expect(regex);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nALL: " + p.received(), e);
        }
    }

    Matcher expect(String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    @Test
    void disabledAdapterOnlyReportsDisabled() {
        adapter = new XmppAdapter(settings(false));
        adapter.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, s) -> states.add(s), stores,
                Clock.systemUTC()));
        assertEquals(AdapterState.Status.DISABLED, adapter.state().status());
        assertEquals(AdapterState.Status.DISABLED, states.poll().status());
    }

    @Test
    void directMessageIsSubmittedAndReceiptedAfterQueueing() throws Exception {
        start(mapping());
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m1'>"
                + "<body>hello *bob*</body><request xmlns='urn:xmpp:receipts'/>"
                + "<nick xmlns='http://jabber.org/protocol/nick'>Alice A.</nick></message>");
        MessageEvent m = (MessageEvent) nextEvent();
        assertEquals(Optional.of("Alice A."), m.meta().profile().displayName(), "XEP-0172 nick");
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), m.sender());
        assertEquals("dm:alice@xmpp.test " + PUPPET, m.origin().room().value());
        assertEquals(Optional.of(RemoteMessageId.of("m1")), m.remoteId());
        assertEquals(Optional.of("hello <strong>bob</strong>"), m.body().html());
        expect("<message(?=[^>]*from='" + Pattern.quote(PUPPET) + "')[^>]*><received xmlns='urn:xmpp:receipts' id='m1'/>");
    }

    @Test
    void refusalsBecomeStanzaErrors() throws Exception {
        start(mapping());
        acceptance = e -> EventIngress.Acceptance.NOT_BRIDGED;
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m2'><body>x</body></message>");
        expect("<message[^>]*id='m2'[^>]*type='error'.*?<item-not-found");
        acceptance = e -> {
            throw new IngressUnavailableException("store down", null);
        };
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m3'><body>x</body></message>");
        expect("<message[^>]*id='m3'[^>]*type='error'.*?<resource-constraint");
        acceptance = e -> EventIngress.Acceptance.UNKNOWN_REFERENCE;
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m4'><body>fix</body>"
                + "<replace xmlns='urn:xmpp:message-correct:0' id='nope'/></message>");
        expect("<message[^>]*id='m4'[^>]*type='error'.*?<item-not-found");
    }

    @Test
    void chatThatCannotBeOpenedIsServiceUnavailable() throws Exception {
        start(PortalCoordinator.NONE);
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m5'><body>x</body></message>");
        expect("<message[^>]*id='m5'[^>]*type='error'.*?<service-unavailable");
        assertTrue(submitted.isEmpty());
    }

    @Test
    void unparseableStanzaGetsBadRequestAndTheStreamStaysUp() throws Exception {
        start(mapping());
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' id='bad'>"
                + "<reactions xmlns='urn:xmpp:reactions:0'/></message>");
        expect("<message type='error' id='bad'.*?<bad-request");
        peer.send("<iq type='get' id='p1' from='alice@xmpp.test/phone' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        expect("<iq[^>]*id='p1'[^>]*type='result'|<iq[^>]*type='result'[^>]*id='p1'");
    }

    /**
     * Issue 9 item 1: a stanza of 4,000 nested elements killed the reader thread (StackOverflowError) while the
     * adapter kept reporting CONNECTED. Now its sender gets a stanza error and the stream keeps working.
     */
    @Test
    void deeplyNestedStanzaGetsAnErrorAndTheStreamKeepsWorking() throws Exception {
        start(mapping());
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='deep'><body>x</body>"
                + "<x xmlns='urn:example:nest'>" + "<a>".repeat(4000) + "</a>".repeat(4000) + "</x></message>");
        expect("<message type='error' id='deep'.*?<bad-request");
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='after'><body>after</body></message>");
        assertEquals("after", ((MessageEvent) nextEvent()).body().plain());
        assertEquals(AdapterState.Status.CONNECTED, adapter.state().status());
    }

    @Test
    void discoAndVcard() throws Exception {
        start(mapping());
        peer.send("<iq type='get' id='d1' from='alice@xmpp.test/phone' to='matrix.xmpp.test'>"
                + "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
        Matcher info = expect("<iq[^>]*id='d1'.*?</iq>");
        assertTrue(info.group().contains("category='gateway'") && info.group().contains("category='conference'"),
                info.group());
        stores.puppets().save(new org.bridgeappliance.core.store.Puppet(BOB, Network.of("xmpp"),
                org.bridgeappliance.core.id.RemoteUserId.of(PUPPET), Profile.named("Bob Builder"), Instant.now()));
        peer.send("<iq type='get' id='v1' from='alice@xmpp.test/phone' to='" + PUPPET + "'><vCard xmlns='vcard-temp'/></iq>");
        Matcher vcard = expect("<iq[^>]*id='v1'.*?</iq>");
        assertTrue(vcard.group().contains("<FN>Bob Builder</FN>"), vcard.group());
        peer.send("<iq type='get' id='ver' from='alice@xmpp.test/phone' to='matrix.xmpp.test'>"
                + "<query xmlns='jabber:iq:version'/></iq>");
        assertTrue(expect("<iq[^>]*id='ver'.*?</iq>").group().contains("<name>bridge-appliance XMPP adapter</name>"));
        peer.send("<iq type='set' id='u1' from='alice@xmpp.test/phone' to='matrix.xmpp.test'>"
                + "<query xmlns='urn:example:unknown'/></iq>");
        expect("<iq[^>]*id='u1'.*?<service-unavailable");
    }

    @Test
    void afterARestartTheListenerAsksForTheHistorySinceTheLastArchivedMessage() throws Exception {
        var room = stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")),
                true);
        stores.archive().append(org.bridgeappliance.core.store.ArchivedMessage.of(BridgeMessageId.of("m-last"), room.id(),
                UserRef.of("xmpp", "alice@xmpp.test"), "alice", Instant.parse("2026-11-26T09:30:00Z"), MessageKind.TEXT,
                MessageBody.plain("the last thing bridged before the restart")));
        start(mapping());
        // XEP-0045 section 7.2.15: what was said while the bridge was away; the core drops what it relayed already.
        expect("<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM
                + "/Matrix bridge'.*?<history[^>]*since='2026-11-26T09:30:00");
    }

    @Test
    void aRoomWithoutArchivedMessagesIsJoinedWithoutHistory() throws Exception {
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        Matcher join = expect("<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM
                + "/Matrix bridge'.*?</presence>");
        assertTrue(join.group().contains("maxchars='0'") || join.group().contains("maxstanzas='0'"), join.group());
        assertFalse(join.group().contains("since="), join.group());
    }

    @Test
    void mucListenerRelaysOnceAndPuppetsJoinWithConflictResolution() throws Exception {
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        // The listener joins every mapped room.
        expect("<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM + "/Matrix bridge'");
        peer.send("<presence from='" + ROOM + "/alice' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' "
                + "jid='alice@xmpp.test/phone'/></x></presence>");
        peer.send("<presence from='" + ROOM + "/Matrix bridge' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        assertTrue(adapter.mucs().listener(ROOM).isPresent() || waitListener());

        // Bob (Matrix) speaks: his puppet joins; the first nick is taken, the second is visibly marked.
        Delivery delivery = new Delivery(BridgeMessageId.of("b1"), RoomId.of("r"), Portal.of("xmpp", ROOM),
                new MessageEvent(new EventMeta(Portal.of("matrix", "!r:matrix.test"), BOB, Profile.named("Bob"),
                        Optional.of(RemoteMessageId.of("$e1")), Instant.now()), MessageKind.TEXT,
                        MessageBody.plain("hi from matrix"), List.of(), Optional.empty()),
                Optional.empty(), Optional.empty(), 1);
        CompletableFuture<DeliveryReceipt> receipt = CompletableFuture.supplyAsync(() -> adapter.deliver(delivery));
        expect("<presence(?=[^>]*from='" + Pattern.quote(PUPPET) + "/bridge')[^>]*to='" + ROOM + "/Bob'");
        peer.send("<presence type='error' from='" + ROOM + "/Bob' to='" + PUPPET + "/bridge'>"
                + "<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
        expect("<presence[^>]*to='" + ROOM + "/Bob \\[m\\]'");
        peer.send("<presence from='" + ROOM + "/Bob [m]' to='" + PUPPET + "/bridge'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        Matcher sent = expect("<message[^>]*id='([^']+)'[^>]*type='groupchat'.*?hi from matrix.*?</message>");
        String id = sent.group(1);
        // The room reflects it to all of our occupants, with its stanza-id.
        String reflection = "<message from='" + ROOM + "/Bob [m]' type='groupchat' id='" + id + "'><body>hi from matrix</body>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-1'/></message>";
        peer.send(reflection.replace("<message ", "<message to='matrix.xmpp.test/muc-listener' "));
        peer.send(reflection.replace("<message ", "<message to='" + PUPPET + "/bridge' "));
        assertEquals(DeliveryReceipt.of("room-sid-1"), receipt.get(5, TimeUnit.SECONDS));

        // Alice writes: the room sends a copy to each of our two occupants; exactly one is submitted.
        String fromAlice = "<message from='" + ROOM + "/alice' type='groupchat' id='a1'><body>hello all</body>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-2'/></message>";
        peer.send(fromAlice.replace("<message ", "<message to='" + PUPPET + "/bridge' "));
        peer.send(fromAlice.replace("<message ", "<message to='matrix.xmpp.test/muc-listener' "));
        peer.send("<iq type='get' id='sync' from='alice@xmpp.test/phone' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        expect("id='sync'");
        // Alice was in the room before the listener joined (the roster comes before our self-presence): announced as
        // a join once the listener is there, so she appears on the other networks without speaking.
        var present = (org.bridgeappliance.core.model.MembershipEvent) nextEvent();
        assertEquals(org.bridgeappliance.core.model.MembershipEvent.Membership.JOIN, present.membership());
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), present.subject());
        assertEquals(Optional.of("alice"), present.meta().profile().displayName());
        MessageEvent m = (MessageEvent) nextEvent();
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), m.sender(), "real JID of a non-anonymous room");
        assertEquals(Optional.of(RemoteMessageId.of("room-sid-2")), m.remoteId());
        assertEquals("hello all", m.body().plain());
        assertTrue(submitted.isEmpty(), "one copy only, and no echo of bob's reflection: " + submitted);
        // A participant's show/status is their presence (DESIGN.md table).
        peer.send("<presence from='" + ROOM + "/alice' to='matrix.xmpp.test/muc-listener'><show>away</show>"
                + "<status>lunch</status><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' "
                + "role='participant' jid='alice@xmpp.test/phone'/></x></presence>");
        var away = (org.bridgeappliance.core.model.PresenceEvent) nextEvent();
        assertEquals(org.bridgeappliance.core.model.Presence.AWAY, away.presence());
        assertEquals(Optional.of("lunch"), away.note());
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), away.sender());

        // Before disconnecting, every joined occupant leaves.
        adapter.stop();
        expect("<presence[^>]*type='unavailable'.*?</stream:stream>");
        String tail = peer.received();
        assertTrue(tail.contains("to='" + ROOM + "/Bob [m]'") && tail.contains("to='" + ROOM + "/Matrix bridge'"), tail);
        adapter = null;
    }

    @Test
    void theRoomsCopyOfADeliveryIsReportedToTheCoreWhenItsReflectionArrives() throws Exception {
        BlockingQueue<String> known = new LinkedBlockingQueue<>();
        copies = (d, id) -> known.add(d.messageId().value() + " " + d.target().room().value() + " " + id.value());
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        Delivery delivery = new Delivery(BridgeMessageId.of("b1"), RoomId.of("r"), Portal.of("xmpp", ROOM),
                new MessageEvent(new EventMeta(Portal.of("matrix", "!r:matrix.test"), BOB, Profile.named("Bob"),
                        Optional.of(RemoteMessageId.of("$e1")), Instant.now()), MessageKind.TEXT,
                        MessageBody.plain("hi from matrix"), List.of(), Optional.empty()),
                Optional.empty(), Optional.empty(), 1);
        CompletableFuture<DeliveryReceipt> receipt = CompletableFuture.supplyAsync(() -> adapter.deliver(delivery));
        expect("<presence(?=[^>]*from='" + Pattern.quote(PUPPET) + "/bridge')[^>]*to='" + ROOM + "/Bob'");
        peer.send("<presence from='" + ROOM + "/Bob' to='" + PUPPET + "/bridge'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        String id = expect("<message[^>]*id='([^']+)'[^>]*type='groupchat'.*?hi from matrix.*?</message>").group(1);
        peer.send("<message from='" + ROOM + "/Bob' to='" + PUPPET + "/bridge' type='groupchat' id='" + id + "'>"
                + "<body>hi from matrix</body><stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='room-sid-1'/>"
                + "</message>");
        assertEquals(DeliveryReceipt.of("room-sid-1"), receipt.get(5, TimeUnit.SECONDS));
        // Reported before the receipt returned (on the reader thread), through the core, not into the store.
        assertEquals("b1 " + ROOM + " room-sid-1", known.poll());
        assertTrue(known.isEmpty(), "once: " + known);
        assertTrue(stores.messages().copies(BridgeMessageId.of("b1")).isEmpty(), "the adapter wrote no mapping");
    }

    @Test
    void aLongMucOccupantStatusReachesTheCoreCutToTheLimit() throws Exception {
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        expect("<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM + "/Matrix bridge'");
        peer.send("<presence from='" + ROOM + "/Matrix bridge' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        assertTrue(waitListener());
        // 40,000 characters: far over the limit, still under the test stream's 64 KiB stanza cap.
        String status = "x".repeat(40_000);
        peer.send("<presence from='" + ROOM + "/alice' to='matrix.xmpp.test/muc-listener'><show>away</show>"
                + "<status>" + status + "</status><x xmlns='http://jabber.org/protocol/muc#user'><item "
                + "affiliation='member' role='participant' jid='alice@xmpp.test/phone'/></x></presence>");
        BridgeEvent e = nextEvent();
        while (!(e instanceof org.bridgeappliance.core.model.PresenceEvent)) {
            e = nextEvent();
        }
        var away = (org.bridgeappliance.core.model.PresenceEvent) e;
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), away.sender());
        String note = away.note().orElseThrow();
        assertEquals(limits.maxStatusChars() + 1, note.length(), "cut to the limit, with an ellipsis");
        assertEquals("x".repeat(limits.maxStatusChars()) + "…", note);
    }

    @Test
    void occupantsRejoinAfterAReconnectAndWhenASelfPingSaysTheyAreGone() throws Exception {
        selfPing = Duration.ofMillis(300);
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        String join = "<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM + "/Matrix bridge'";
        expect(join);
        String self = "<presence from='" + ROOM + "/Matrix bridge' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>";
        peer.send(self);
        // XEP-0410: the room says the listener is not an occupant any more: it joins again.
        Matcher ping = expect("<iq[^>]*id='([^']+)'[^>]*><ping xmlns='urn:xmpp:ping'/>");
        assertTrue(ping.group().contains("to='" + ROOM + "/Matrix bridge'"), ping.group());
        peer.send("<iq type='error' id='" + ping.group(1) + "' from='" + ROOM + "/Matrix bridge' "
                + "to='matrix.xmpp.test/muc-listener'><error type='cancel'><not-acceptable "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
        expect(join);
        peer.send(self);
        peer.send("<message from='" + ROOM + "/alice' to='matrix.xmpp.test/muc-listener' type='groupchat' id='x1'>"
                + "<body>before the restart</body><delay xmlns='urn:xmpp:delay' stamp='2026-01-01T10:00:00Z'/></message>");
        nextEvent();
        // The server restarts (the stream drops): after reconnecting, the listener is back in the room and asks
        // for what it missed since the last message it relayed.
        peer.close();
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
        Matcher rejoin = expect(join + ".*?</presence>");
        assertTrue(rejoin.group().contains("since='2026-01-01T10:00:00"), rejoin.group());
    }

    private boolean waitListener() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (adapter.mucs().listener(ROOM).isPresent()) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
        return false;
    }

    @Test
    void aRetriedDirectDeliveryRepeatsItsIdAndOriginId() throws Exception {
        start(mapping());
        Portal dm = Portal.of("xmpp", "dm:alice@xmpp.test " + PUPPET);
        MessageEvent event = new MessageEvent(new EventMeta(Portal.of("matrix", "!dm:matrix.test"), BOB,
                Profile.named("Bob"), Optional.of(RemoteMessageId.of("$r1")), Instant.now()), MessageKind.TEXT,
                MessageBody.plain("only once please"), List.of(), Optional.empty());
        DeliveryReceipt first = adapter.deliver(new Delivery(BridgeMessageId.of("b-retry"), RoomId.of("r"), dm, event,
                Optional.empty(), Optional.empty(), 1));
        Matcher one = expect("<message[^>]*id='([^']+)'[^>]*>.*?only once please.*?</message>");
        // The router retries (e.g. the first try's outcome was lost in a crash): same id, same XEP-0359 origin-id.
        DeliveryReceipt retry = adapter.deliver(new Delivery(BridgeMessageId.of("b-retry"), RoomId.of("r"), dm, event,
                Optional.empty(), Optional.empty(), 2));
        Matcher two = expect("<message[^>]*id='([^']+)'[^>]*>.*?only once please.*?</message>");
        assertEquals(one.group(1), two.group(1));
        assertTrue(two.group().contains("<origin-id xmlns='urn:xmpp:sid:0' id='" + one.group(1) + "'/>"), two.group());
        assertEquals(first, retry);
        assertEquals(DeliveryReceipt.of(one.group(1)), first);
    }

    @Test
    void failedDeliveryIsReportedToTheAuthorAsAnError() throws Exception {
        start(mapping());
        Portal dm = Portal.of("xmpp", "dm:alice@xmpp.test " + PUPPET);
        var event = new MessageEvent(new EventMeta(dm, UserRef.of("xmpp", "alice@xmpp.test"), Profile.EMPTY,
                Optional.of(RemoteMessageId.of("orig-7")), Instant.now()), MessageKind.TEXT, MessageBody.plain("lost"),
                List.of(), Optional.empty());
        adapter.reportFailure(new DeliveryFailure(event, Portal.of("matrix", "!dm:matrix.test"), "room gone", 3));
        Matcher m = expect("<message[^>]*id='orig-7'[^>]*>.*?</message>");
        assertTrue(m.group().contains("type='error'") && m.group().contains("service-unavailable")
                && m.group().contains("room gone"), m.group());
        assertTrue(m.group().contains("from='" + PUPPET + "/bridge'"), m.group());
    }

    @Test
    void gatewayJoinGetsSelfPresenceHistoryAndSubject() throws Exception {
        start(mapping());
        String gw = "#room%matrix.test@matrix.xmpp.test";
        peer.send("<presence from='carol@xmpp.test/pc' to='" + gw + "/carol'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
        Matcher self = expect("<presence[^>]*from='" + Pattern.quote(gw) + "/carol'.*?</presence>");
        assertTrue(self.group().contains("code='110'") && self.group().contains("code='100'"), self.group());
        expect("<message[^>]*type='groupchat'[^>]*><subject", peer);
        assertEquals(org.bridgeappliance.core.model.MembershipEvent.Membership.JOIN,
                ((org.bridgeappliance.core.model.MembershipEvent) nextEvent()).membership());
        peer.send("<message from='carol@xmpp.test/pc' to='" + gw + "' type='groupchat' id='c1'><body>hey</body></message>");
        MessageEvent m = (MessageEvent) nextEvent();
        assertEquals("hey", m.body().plain());
        Matcher reflected = expect("<message[^>]*id='c1'.*?</message>");
        assertTrue(reflected.group().contains("<stanza-id xmlns='urn:xmpp:sid:0' id='" + m.remoteId().get() + "'"),
                reflected.group());
        // XEP-0313 answers from the bridge's archive, which the router fills at acceptance; this test has no
        // router, so it records what the router would: the origin copy and the archived message.
        BridgedRoom gwRoom = stores.rooms().findByPortal(m.origin()).orElseThrow();
        BridgeMessageId canonical = BridgeMessageId.of("canonical-1");
        stores.messages().record(List.of(new org.bridgeappliance.core.store.MessageMapping(canonical, gwRoom.id(),
                m.origin(), m.sender(), m.remoteId().get(), 0, true, Instant.now())));
        stores.archive().append(org.bridgeappliance.core.store.ArchivedMessage.of(canonical, gwRoom.id(), m.sender(),
                "carol", m.timestamp(), m.kind(), m.body()));
        peer.send("<iq type='set' id='mam1' from='carol@xmpp.test/pc' to='" + gw + "'>"
                + "<query xmlns='urn:xmpp:mam:2' queryid='q1'/></iq>");
        Matcher result = expect("<message[^>]*>.*?<result xmlns='urn:xmpp:mam:2' queryid='q1' id='"
                + Pattern.quote(m.remoteId().get().value()) + "'>.*?<body>hey</body>.*?</message>");
        assertTrue(result.group().contains("urn:xmpp:forward:0"), result.group());
        expect("<iq[^>]*id='mam1'.*?<fin xmlns='urn:xmpp:mam:2'[^>]*complete='true'");
        // XEP-0045 §7.6 nick change.
        peer.send("<presence from='carol@xmpp.test/pc' to='" + gw + "/caroline'/>");
        Matcher gone = expect("<presence[^>]*type='unavailable'.*?</presence>");
        assertTrue(gone.group().contains("nick='caroline'") && gone.group().contains("code='303'"), gone.group());
        expect("<presence(?=[^>]*from='" + Pattern.quote(gw) + "/caroline').*?code='110'");
        assertEquals(org.bridgeappliance.core.model.MembershipEvent.Membership.PROFILE_CHANGE,
                ((org.bridgeappliance.core.model.MembershipEvent) nextEvent()).membership());
    }

    // ------------------------------------------------------------------ issue 9: hostile MUC input

    static final String LISTENER = "matrix.xmpp.test/muc-listener";
    static final String MUC_USER = "<x xmlns='http://jabber.org/protocol/muc#user'>";

    /** Maps ROOM, starts, and lets the listener join; {@code selfExtra} goes into the room's self-presence. */
    void listenerJoined(String selfExtra) throws Exception {
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start(mapping());
        expect("<presence(?=[^>]*from='" + LISTENER + "')[^>]*to='" + ROOM + "/Matrix bridge'");
        peer.send("<presence from='" + ROOM + "/Matrix bridge' to='" + LISTENER + "'>" + MUC_USER
                + "<item affiliation='none' role='participant'/><status code='110'/></x>" + selfExtra + "</presence>");
        assertTrue(waitListener());
    }

    /** The next submitted event that is not a participant's presence (those accompany every join). */
    BridgeEvent nextRoomEvent() throws InterruptedException {
        BridgeEvent e = nextEvent();
        while (e instanceof org.bridgeappliance.core.model.PresenceEvent) {
            e = nextEvent();
        }
        return e;
    }

    /** Sends a ping and waits for its answer: everything sent before it has been handled. */
    void sync(String id) throws Exception {
        peer.send("<iq type='get' id='" + id + "' from='alice@xmpp.test/phone' to='matrix.xmpp.test'>"
                + "<ping xmlns='urn:xmpp:ping'/></iq>");
        expect("id='" + id + "'");
    }

    static String moderation(String from, String by, String target) {
        return "<message from='" + from + "' to='" + LISTENER + "' type='groupchat' id='mod-" + target + "'>"
                + "<retract id='" + target + "' xmlns='urn:xmpp:message-retract:1'><moderated by='" + by
                + "' xmlns='urn:xmpp:message-moderate:1'/><reason>spam</reason></retract></message>";
    }

    /**
     * Issue 9 item 3: an occupant's {@code <moderated/>} claim was believed (the bot redacted anyone's message),
     * while the room's own moderations (from its bare JID) were dropped. Now the reverse.
     */
    @Test
    void onlyTheRoomItselfMayModerate() throws Exception {
        listenerJoined("");
        peer.send("<presence from='" + ROOM + "/mallory' to='" + LISTENER + "'>" + MUC_USER
                + "<item affiliation='none' role='participant'/></x></presence>");
        assertEquals(org.bridgeappliance.core.model.MembershipEvent.Membership.JOIN,
                ((org.bridgeappliance.core.model.MembershipEvent) nextRoomEvent()).membership());
        peer.send(moderation(ROOM + "/mallory", ROOM + "/mallory", "victim-sid"));
        var spoof = (org.bridgeappliance.core.model.RetractionEvent) nextRoomEvent();
        assertFalse(spoof.moderation(), "an occupant's claim is at most a retraction of their own message");
        peer.send(moderation(ROOM, ROOM + "/mod", "spam-sid"));
        var real = (org.bridgeappliance.core.model.RetractionEvent) nextRoomEvent();
        assertTrue(real.moderation(), "the room's own moderation is bridged");
        assertEquals(RemoteMessageId.of("spam-sid"), real.target());
        assertEquals(Optional.of("spam"), real.reason());
        // A message from the room's bare JID that is not a moderation is not bridged.
        peer.send("<message from='" + ROOM + "' to='" + LISTENER + "' type='groupchat' id='notice'><body>room notice</body></message>");
        sync("s1");
        assertTrue(submitted.stream().allMatch(e -> e instanceof org.bridgeappliance.core.model.PresenceEvent),
                "only moderations come from the room itself: " + submitted);
    }

    @Test
    void aModerationClaimInAChatIsNotBelieved() throws Exception {
        start(mapping());
        peer.send("<message from='mallory@xmpp.test/pc' to='" + PUPPET + "' type='chat' id='spoof'>"
                + "<retract id='someone-elses' xmlns='urn:xmpp:message-retract:1'><moderated by='x@y/z' "
                + "xmlns='urn:xmpp:message-moderate:1'/></retract></message>");
        assertFalse(((org.bridgeappliance.core.model.RetractionEvent) nextRoomEvent()).moderation());
    }

    /**
     * Issue 9 item 4: any MUC service was accepted, so {@code #_xmpp_r=40muc.evil.org:<hs>} made the bridge join a
     * MUC whose (hostile) service claims real JIDs. Rooms on services outside the allow-list (default: muc-domain)
     * are neither resolved nor joined nor delivered to.
     */
    @Test
    void roomsOnForeignMucServicesAreRefused() throws Exception {
        String evil = "r@muc.evil.org";
        stores.rooms().create("evil", List.of(Portal.of("xmpp", evil), Portal.of("matrix", "!e:matrix.test")), true);
        listenerJoined("");
        assertEquals(Optional.empty(), adapter.resolveRoom(evil));
        assertEquals(Optional.empty(), adapter.resolveRoom("xmpp:" + evil + "?join"));
        Delivery delivery = new Delivery(BridgeMessageId.of("b1"), RoomId.of("r"), Portal.of("xmpp", evil),
                new MessageEvent(new EventMeta(Portal.of("matrix", "!e:matrix.test"), BOB, Profile.named("Bob"),
                        Optional.of(RemoteMessageId.of("$e1")), Instant.now()), MessageKind.TEXT,
                        MessageBody.plain("hi"), List.of(), Optional.empty()),
                Optional.empty(), Optional.empty(), 1);
        assertThrows(org.bridgeappliance.core.port.PermanentDeliveryException.class, () -> adapter.deliver(delivery));
        adapter.syncRooms();
        sync("s2");
        assertFalse(peer.received().contains("muc.evil.org"), "nothing was sent to the foreign service: "
                + peer.received());
        assertEquals(List.of(ROOM), List.copyOf(adapter.mucs().occupants().keySet()));
    }

    @Test
    void theAllowListOfMucServicesIsConfigurable() throws Exception {
        adapter = new XmppAdapter(settings(true), () -> 0.5);
        adapter.setMucServices(List.of("Conference.xmpp.test", "muc.partner.example"));
        assertEquals(List.of("Conference.xmpp.test", "muc.partner.example"), adapter.mucServices());
        adapter.setMucServices(List.of("matrix.xmpp.test"));
        adapter.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, st) -> states.add(st), stores,
                Clock.systemUTC()));
        assertEquals(AdapterState.Status.FAILED, adapter.state().status(), "the component domain is no MUC service");
        assertEquals(List.of("conference.xmpp.test"), new XmppAdapter(settings(true)).mucServices(), "default");
    }

    /**
     * Issue 9 item 4: semi-anonymous occupants were keyed by nick, so a later holder of a nick inherited the
     * earlier holder's ghost (and could edit their messages). Where the room stamps XEP-0421 occupant-ids, they
     * key the occupant instead.
     */
    @Test
    void aLaterHolderOfANickIsSomeoneElseWhereTheRoomHasOccupantIds() throws Exception {
        listenerJoined("<occupant-id xmlns='urn:xmpp:occupant-id:0' id='listener-occ'/>");
        String alice = ROOM + "/alice";
        peer.send("<presence from='" + alice + "' to='" + LISTENER + "'>" + MUC_USER
                + "<item affiliation='none' role='participant'/></x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-A'/>"
                + "</presence>");
        UserRef first = ((org.bridgeappliance.core.model.MembershipEvent) nextRoomEvent()).subject();
        peer.send("<message from='" + alice + "' to='" + LISTENER + "' type='groupchat' id='a1'><body>mine</body>"
                + "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-A'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='sid-a1'/></message>");
        assertEquals(first, nextRoomEvent().sender());
        peer.send("<presence type='unavailable' from='" + alice + "' to='" + LISTENER + "'>" + MUC_USER
                + "<item affiliation='none' role='none'/></x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-A'/>"
                + "</presence>");
        assertEquals(org.bridgeappliance.core.model.MembershipEvent.Membership.LEAVE,
                ((org.bridgeappliance.core.model.MembershipEvent) nextRoomEvent()).membership());
        // Someone else takes the nick and "corrects" the earlier message.
        peer.send("<presence from='" + alice + "' to='" + LISTENER + "'>" + MUC_USER
                + "<item affiliation='none' role='participant'/></x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-B'/>"
                + "</presence>");
        UserRef second = ((org.bridgeappliance.core.model.MembershipEvent) nextRoomEvent()).subject();
        assertNotEquals(first, second, "a new holder of the nick is a new person");
        peer.send("<message from='" + alice + "' to='" + LISTENER + "' type='groupchat' id='b1'><body>not yours</body>"
                + "<replace xmlns='urn:xmpp:message-correct:0' id='a1'/>"
                + "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-B'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' by='" + ROOM + "' id='sid-b1'/></message>");
        BridgeEvent edit = nextRoomEvent();
        assertEquals(second, edit.sender(), "the edit is the new holder's, so the core finds no message of theirs");
        assertFalse(second.user().value().contains("occ-B"), "occupant-ids are hashed: " + second);
    }

    @Test
    void occupantIdsAreIgnoredWhereTheRoomDoesNotStampThem() throws Exception {
        listenerJoined(""); // the self-presence has no occupant-id: any a participant shows is their own forgery
        peer.send("<message from='" + ROOM + "/alice' to='" + LISTENER + "' type='groupchat' id='a1'><body>hi</body>"
                + "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='forged'/></message>");
        assertEquals(UserRef.of("xmpp", ROOM + "/alice"), nextRoomEvent().sender());
    }
}
