package org.bridgeappliance.adapter.xmpp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
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
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.RetractionEvent;
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
 * Issue 9 item 8, the "raw extensions" finding and item 3's gateway case, through the adapter against a scripted
 * component port: the gateway's allow/deny lists, the occupant cap, status text truncation, what a reflection
 * carries, and that no joiner may moderate.
 */
class GatewayLimitsTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String GW = "#room%matrix.test@matrix.xmpp.test";

    FakeComponentServer server;
    XmppAdapter adapter;
    final BridgeStores stores = InMemoryStores.create();
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();
    final AtomicInteger provisioned = new AtomicInteger();
    FakeComponentServer.Peer peer;

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

    void start(XmppLimits limits) throws Exception {
        adapter = new XmppAdapter(LimitsBuilder.settings(server.port()), () -> 0.5);
        adapter.setLimits(limits);
        EventIngress ingress = event -> {
            submitted.add(event);
            return EventIngress.Acceptance.QUEUED;
        };
        PortalCoordinator coordinator = new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                return Optional.empty();
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                provisioned.incrementAndGet();
                return Optional.of(stores.rooms().create(address, List.of(origin,
                        Portal.of("matrix", "!" + provisioned.get() + ":matrix.test")), true));
            }
        };
        adapter.start(new AdapterContext(ingress, (n, s) -> { }, stores, Clock.systemUTC(), coordinator));
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
    }

    static XmppLimits defaults() {
        return new LimitsBuilder().build();
    }

    Matcher expect(String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    BridgeEvent nextEvent() throws InterruptedException {
        BridgeEvent e = submitted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(e, "nothing submitted");
        return e;
    }

    static String join(String from, String room, String nick) {
        return "<presence from='" + from + "' to='" + room + "/" + nick + "' id='join-" + nick + "'>"
                + "<x xmlns='http://jabber.org/protocol/muc'/></presence>";
    }

    void joined(String from, String nick) throws Exception {
        peer.send(join(from, GW, nick));
        expect("<presence[^>]*to='" + Pattern.quote(from) + "'[^>]*>(?:(?!</presence>).)*code='110'");
        assertEquals(MembershipEvent.Membership.JOIN, assertInstanceOf(MembershipEvent.class, nextEvent()).membership());
    }

    @Test
    void aUserOfAnotherXmppDomainMayNotUseTheGateway() throws Exception {
        start(defaults());
        peer.send(join("eve@evil.example/pc", GW, "eve"));
        Matcher error = expect("<presence[^>]*id='join-eve'[^>]*>.*?</presence>");
        assertTrue(error.group().contains("type='error'") && error.group().contains("<forbidden"), error.group());
        assertEquals(0, provisioned.get(), "nothing was asked of the homeserver");
    }

    @Test
    void aRoomOnAnotherMatrixServerIsNotReachedThroughTheGateway() throws Exception {
        start(defaults());
        peer.send(join("alice@xmpp.test/pc", "#lobby%evil.org@matrix.xmpp.test", "alice"));
        Matcher error = expect("<presence[^>]*id='join-alice'[^>]*>.*?</presence>");
        assertTrue(error.group().contains("type='error'") && error.group().contains("<not-allowed"), error.group());
        assertEquals(0, provisioned.get(), "nothing was asked of the homeserver");
    }

    @Test
    void aRoomAnAdminMappedStaysJoinableWhateverItsServer() throws Exception {
        start(defaults());
        String mapped = "#lobby%partner.org@matrix.xmpp.test";
        stores.rooms().create("partner", List.of(Portal.of("xmpp", mapped), Portal.of("matrix", "!p:partner.org")), true);
        peer.send(join("alice@xmpp.test/pc", mapped, "alice"));
        expect("<presence[^>]*from='" + Pattern.quote(mapped) + "/alice'[^>]*>(?:(?!</presence>).)*code='110'");
    }

    @Test
    void aFullRoomRefusesTheNextJoinerWithServiceUnavailable() throws Exception {
        start(caps(1000, 2, 2000));
        joined("a@xmpp.test/1", "a");
        joined("b@xmpp.test/1", "b");
        peer.send(join("c@xmpp.test/1", GW, "c"));
        Matcher error = expect("<presence[^>]*id='join-c'[^>]*>.*?</presence>");
        assertTrue(error.group().contains("type='error'") && error.group().contains("<service-unavailable"),
                error.group());
    }

    static XmppLimits caps(int rooms, int occupants, int members) {
        LimitsBuilder b = new LimitsBuilder();
        b.maxGatewayRooms = rooms;
        b.maxGatewayOccupants = occupants;
        b.maxGatewayMembers = members;
        return b.build();
    }

    @Test
    void theGatewayHoldsAtMostItsRoomCapAndRefusesANewRoomWhileAllAreInUse() throws Exception {
        start(caps(2, 500, 2000));
        // Stanzas to rooms nobody joined take no place.
        for (int i = 0; i < 50; i++) {
            peer.send("<message from='z@xmpp.test/1' to='#junk" + i + "%matrix.test@matrix.xmpp.test' type='groupchat' "
                    + "id='junk" + i + "'><body>x</body></message>");
        }
        expect("<message[^>]*id='junk49'[^>]*type='error'|<message[^>]*type='error'[^>]*id='junk49'");
        peer.send(join("a@xmpp.test/1", "#one%matrix.test@matrix.xmpp.test", "a"));
        expect("<presence[^>]*from='#one%matrix.test@matrix.xmpp.test/a'[^>]*>(?:(?!</presence>).)*code='110'");
        peer.send(join("a@xmpp.test/1", "#two%matrix.test@matrix.xmpp.test", "a"));
        expect("<presence[^>]*from='#two%matrix.test@matrix.xmpp.test/a'[^>]*>(?:(?!</presence>).)*code='110'");
        peer.send(join("b@xmpp.test/1", "#three%matrix.test@matrix.xmpp.test", "b"));
        Matcher error = expect("<presence[^>]*id='join-b'[^>]*>.*?</presence>");
        assertTrue(error.group().contains("type='error'") && error.group().contains("<service-unavailable"),
                error.group());
        // One room emptied makes room for another.
        peer.send("<presence from='a@xmpp.test/1' to='#one%matrix.test@matrix.xmpp.test/a' type='unavailable'/>");
        expect("<presence[^>]*type='unavailable'[^>]*>(?:(?!</presence>).)*code='110'");
        peer.send(join("b@xmpp.test/1", "#three%matrix.test@matrix.xmpp.test", "b"));
        expect("<presence[^>]*from='#three%matrix.test@matrix.xmpp.test/b'[^>]*>(?:(?!</presence>).)*code='110'");
    }

    @Test
    void theLeastRecentlyActiveMatrixMemberLeavesTheJoinersViewAtTheMemberCap() throws Exception {
        start(caps(1000, 500, 2));
        joined("a@xmpp.test/1", "a");
        Portal gw = Portal.of("xmpp", GW);
        for (String who : List.of("ann", "ben", "cat")) {
            UserRef person = UserRef.of("matrix", "@" + who + ":matrix.test");
            var meta = new org.bridgeappliance.core.model.EventMeta(Portal.of("matrix", "!1:matrix.test"), person,
                    org.bridgeappliance.core.model.Profile.named(who), Optional.empty(), java.time.Instant.now());
            adapter.deliver(new org.bridgeappliance.core.port.Delivery(
                    org.bridgeappliance.core.id.BridgeMessageId.of("j-" + who), org.bridgeappliance.core.id.RoomId.of("r"),
                    gw, new MembershipEvent(meta, person, MembershipEvent.Membership.JOIN, Optional.empty()),
                    Optional.empty(), Optional.empty(), 1));
            if (who.equals("cat")) {
                // The cap is 2: ann, the least recently active, leaves the joiners' view before cat appears.
                expect("<presence(?=[^>]*from='" + Pattern.quote(GW) + "/ann')(?=[^>]*type='unavailable')");
            }
            expect("<presence(?=[^>]*from='" + Pattern.quote(GW) + "/" + who + "')(?![^>]*type=)");
        }
    }

    @Test
    void aLongPresenceStatusIsCutBeforeTheCoreAndTheOtherJoinersSeeIt() throws Exception {
        start(defaults());
        joined("a@xmpp.test/1", "a");
        joined("b@xmpp.test/1", "b");
        String status = "x".repeat(10_000);
        peer.send("<presence from='b@xmpp.test/1' to='" + GW + "/b'><status>" + status + "</status></presence>");
        PresenceEvent p = assertInstanceOf(PresenceEvent.class, nextEvent());
        int max = defaults().maxStatusChars();
        assertEquals(max + 1, p.note().orElseThrow().length(), "cut to the limit, with an ellipsis");
        Matcher toA = expect("<presence[^>]*to='a@xmpp.test/1'[^>]*>(?:(?!</presence>).)*<status>([^<]*)</status>");
        assertEquals(max + 1, toA.group(1).length());
    }

    @Test
    void reflectionsCarryOnlyWhatTheBridgeUnderstands() throws Exception {
        start(defaults());
        joined("a@xmpp.test/1", "a");
        peer.send("<message from='a@xmpp.test/1' to='" + GW + "' type='groupchat' id='m1'><body>hi</body>"
                + "<origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"
                + "<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='" + GW + "'/>"
                + "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
                + "<img src='https://tracker.example/pixel'/></body></html>"
                + "<x xmlns='jabber:x:conference' jid='trap@conference.evil.example'/>"
                + "<secret xmlns='urn:example:raw'>anything</secret></message>");
        Matcher reflected = expect("<message[^>]*id='m1'.*?</message>");
        String xml = reflected.group();
        assertTrue(xml.contains("<body>hi</body>") && xml.contains("<origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"), xml);
        assertTrue(xml.contains("<stanza-id xmlns='urn:xmpp:sid:0' id='g-"), xml);
        for (String raw : List.of("forged", "xhtml-im", "tracker.example", "jabber:x:conference", "urn:example:raw")) {
            assertFalse(xml.contains(raw), raw + " passed on: " + xml);
        }
    }

    /**
     * Issue 9 item 3, in a gateway room: a joiner's XEP-0425 {@code <moderated/>} claim (both forms) made the bridge
     * bot redact anyone's Matrix message. A gateway room has no room service but the bridge itself, so no joiner's
     * claim is a moderation: at most a retraction of the joiner's own message (the core finds none of theirs here),
     * and the claim is not passed on to the other joiners.
     */
    @Test
    void aModerationClaimedByAGatewayJoinerIsNotBelievedNorPassedOn() throws Exception {
        start(defaults());
        joined("a@xmpp.test/1", "a");
        joined("b@xmpp.test/1", "b");
        String[] claims = {
            "<retract id='carols-message' xmlns='urn:xmpp:message-retract:1'><moderated by='" + GW + "/a'"
                + " xmlns='urn:xmpp:message-moderate:1'/><reason>spam</reason></retract>",
            "<apply-to id='carols-message' xmlns='urn:xmpp:fasten:0'><moderated by='" + GW + "/a'"
                + " xmlns='urn:xmpp:message-moderate:0'><retract xmlns='urn:xmpp:message-retract:0'/></moderated>"
                + "</apply-to>",
            "<retract id='carols-message' xmlns='urn:xmpp:message-retract:0'><moderated by='" + GW + "/a'"
                + " xmlns='urn:xmpp:message-moderate:0'/></retract>"};
        for (int i = 0; i < claims.length; i++) {
            peer.send("<message from='a@xmpp.test/1' to='" + GW + "' type='groupchat' id='spoof" + i + "'>" + claims[i]
                    + "</message>");
            if (i < 2) { // the bridge reads these two forms (the third is not a retraction it bridges)
                RetractionEvent r = assertInstanceOf(RetractionEvent.class, nextEvent(), "form " + i);
                assertFalse(r.moderation(), "form " + i + ": a joiner's moderation claim was believed");
                assertEquals(UserRef.of("xmpp", "a@xmpp.test"), r.sender(), "form " + i);
            }
        }
        Matcher toB = expect("<message[^>]*to='b@xmpp.test/1'[^>]*id='spoof0'.*?</message>");
        assertTrue(toB.group().contains("<retract xmlns='urn:xmpp:message-retract:1' id='carols-message'/>"),
                "the retraction itself is passed on (the joiners' clients judge whose message it is): " + toB.group());
        // Something the gateway certainly reflects, so everything before it has been handled.
        peer.send("<message from='a@xmpp.test/1' to='" + GW + "' type='groupchat' id='after'><body>after</body></message>");
        expect("<message[^>]*to='b@xmpp.test/1'[^>]*id='after'");
        assertFalse(peer.received().contains("message-moderate"), "the claim was passed on: " + peer.received());
        assertTrue(submitted.stream().noneMatch(e -> e instanceof RetractionEvent r && r.moderation()), "" + submitted);
    }
}
