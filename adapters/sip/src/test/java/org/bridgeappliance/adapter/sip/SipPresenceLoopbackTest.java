package org.bridgeappliance.adapter.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.sip.offline.InMemorySipStore;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.port.DeliveryOutcomes;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The presence server on a real Jain-SIP stack on loopback: {@link RawSip} plays the phone side of the proxy
 * (sending SUBSCRIBE/PUBLISH) and the proxy the adapter sends its NOTIFYs through. The core is faked at its port:
 * a map as {@link org.bridgeappliance.core.port.PresenceDirectory}, presence changes handed to
 * {@link SipAdapter#deliverPresence} as the router would.
 */
class SipPresenceLoopbackTest {
    private static final String D = "bridge.sip.test";
    private static final String ERIN = "sip:erin@sip.test";
    private static final UserRef BOB = new UserRef(Network.of("xmpp"), RemoteUserId.of("bob@xmpp.test"));
    private static final String BOB_PUPPET = "sip:bob*xmpp.test@xmpp." + D;
    private final RawSip phone = new RawSip();
    private final RawSip proxy = new RawSip();
    private final BridgeStores stores = InMemoryStores.create();
    private final Map<UserRef, PresenceEvent> known = new ConcurrentHashMap<>();
    private final List<BridgeEvent> submitted = new CopyOnWriteArrayList<>();
    private SipAdapter adapter;
    private int port;

    @BeforeEach
    void start() {
        port = SipAdapterLoopbackTest.freePort();
        SipSettings d = SipSettings.defaults();
        SipSettings s = new SipSettings(true, D, "127.0.0.1", port, "127.0.0.1", proxy.port(), List.of("127.0.0.1"),
                d.networks(), 4096, 200, 1300, Duration.ofSeconds(3), Duration.ofHours(1), Duration.ofHours(1),
                2, 100, true);
        adapter = new SipAdapter(s, new InMemorySipStore());
        adapter.start(new AdapterContext(e -> {
            submitted.add(e);
            return EventIngress.Acceptance.QUEUED;
        }, (n, st) -> { }, stores,
                Clock.systemUTC(), PortalCoordinator.NONE, Addressing.NONE, DeliveryOutcomes.NONE,
                p -> Optional.ofNullable(known.get(p))));
        assertEquals(AdapterState.Status.CONNECTED, adapter.state().status(), adapter.state().detail());
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
        phone.close();
        proxy.close();
    }

    private String subscribe(String to, String from, String callId, String fromTag, String toTag, String event,
                             Integer expires, int cseq) {
        String head = "SUBSCRIBE " + to + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + phone.port() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Record-Route: <sip:127.0.0.1:" + proxy.port() + ";lr>\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + from + ">;tag=" + fromTag + "\r\n"
                + "To: <" + to + ">" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " SUBSCRIBE\r\n"
                + "Contact: <sip:erin@127.0.0.1:5999>\r\n"
                + (event == null ? "" : "Event: " + event + "\r\n")
                + (expires == null ? "" : "Expires: " + expires + "\r\n")
                + "Accept: application/pidf+xml\r\nContent-Length: 0\r\n\r\n";
        return phone.request(port, head, new byte[0]);
    }

    private static String toTag(String response) {
        String to = RawSip.header(response, "To");
        assertNotNull(to, response);
        int i = to.indexOf(";tag=");
        assertTrue(i > 0, response);
        return to.substring(i + 5).split(";")[0];
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(8, 11));
    }

    @Test
    void aSubscriptionGetsTheStateAtOnceThenChangesThenATerminatedNotify() {
        known.put(BOB, new PresenceEvent(BOB, Presence.AVAILABLE, Optional.empty(), Profile.EMPTY, Instant.now()));
        String callId = UUID.randomUUID().toString();
        String ok = subscribe(BOB_PUPPET, ERIN, callId, "w1", null, "presence", 600, 1);
        assertEquals(200, status(ok), ok);
        assertEquals("600", RawSip.header(ok, "Expires"), ok);
        String tag = toTag(ok);
        assertNotNull(RawSip.header(ok, "Contact"), ok);

        String first = proxy.answerNext(200, "OK");
        assertTrue(first.startsWith("NOTIFY sip:erin@127.0.0.1:5999 SIP/2.0"), first);
        assertEquals("application/pidf+xml", RawSip.header(first, "Content-Type"), first);
        assertTrue(RawSip.header(first, "Subscription-State").startsWith("active;expires="), first);
        assertEquals("presence", RawSip.header(first, "Event"), first);
        assertEquals(callId, RawSip.header(first, "Call-ID"), first);
        assertTrue(RawSip.header(first, "Route").contains("127.0.0.1:" + proxy.port()), first);
        assertTrue(RawSip.header(first, "From").contains("tag=" + tag), first);
        assertTrue(RawSip.header(first, "To").contains("tag=w1"), first);
        assertTrue(RawSip.body(first).contains("<basic>open</basic>"), first);

        adapter.deliverPresence(new PresenceEvent(BOB, Presence.AWAY, Optional.of("lunch"), Profile.EMPTY,
                Instant.now()));
        String away = proxy.answerNext(200, "OK");
        assertTrue(RawSip.body(away).contains("<rpid:away/>") && RawSip.body(away).contains("<note>lunch</note>"),
                away);
        long c1 = Long.parseLong(RawSip.header(first, "CSeq").split(" ")[0]);
        long c2 = Long.parseLong(RawSip.header(away, "CSeq").split(" ")[0]);
        assertTrue(c2 > c1, first + away);

        String refreshed = subscribe(BOB_PUPPET, ERIN, callId, "w1", tag, "presence", 300, 2);
        assertEquals(200, status(refreshed), refreshed);
        assertEquals("300", RawSip.header(refreshed, "Expires"), refreshed);
        assertTrue(RawSip.header(proxy.answerNext(200, "OK"), "Subscription-State").startsWith("active"));

        String bye = subscribe(BOB_PUPPET, ERIN, callId, "w1", tag, "presence", 0, 3);
        assertEquals(200, status(bye), bye);
        String last = proxy.answerNext(200, "OK");
        assertEquals("terminated;reason=timeout", RawSip.header(last, "Subscription-State"), last);
        // removed once the terminated NOTIFY's 200 is processed (on the stack's thread)
        awaitTrue("the subscription removed", () -> adapter.presenceServer().subscriptions() == 0);
        // The watched person now has a puppet on SIP, so the router sends their presence here.
        assertTrue(stores.puppets().find(BOB, SipAdapter.NETWORK).isPresent());
    }

    @Test
    void anUnknownStateIsANotifyWithoutBody() {
        String ok = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "w2", null, "presence", null, 1);
        assertEquals(200, status(ok), ok);
        assertEquals("3600", RawSip.header(ok, "Expires"), ok);
        String n = proxy.answerNext(200, "OK");
        assertNull(RawSip.header(n, "Content-Type"), n);
        assertEquals("", RawSip.body(n), n);
    }

    @Test
    void unknownEventsTooBriefExpiriesPublishesAndStrangersAreRefused() {
        String bad = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "w3", null, "dialog", 600, 1);
        assertEquals(489, status(bad), bad);
        assertEquals("presence", RawSip.header(bad, "Allow-Events"), bad);
        String brief = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "w3", null, "presence", 1, 1);
        assertEquals(423, status(brief), brief);
        assertEquals("60", RawSip.header(brief, "Min-Expires"), brief);
        String gone = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "w3", "nope", "presence", 600, 2);
        assertEquals(481, status(gone), gone);
        String room = subscribe("sip:lobby@rooms." + D, ERIN, UUID.randomUUID().toString(), "w3", null, "presence",
                600, 1);
        assertEquals(404, status(room), room);
        String publish = "PUBLISH " + BOB_PUPPET + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + phone.port() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <" + ERIN + ">;tag=p\r\nTo: <" + BOB_PUPPET + ">\r\n"
                + "Call-ID: " + UUID.randomUUID() + "\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\nExpires: 600\r\n"
                + "Content-Length: 0\r\n\r\n";
        String refused = phone.request(port, publish, new byte[0]);
        assertEquals(403, status(refused), refused);
        assertEquals(0, adapter.presenceServer().subscriptions());
    }

    @Test
    void oneWatcherIsCappedWith503AndRetryAfter() {
        for (int i = 0; i < 50; i++) {
            String ok = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "c" + i, null, "presence", 600, 1);
            assertEquals(200, status(ok), ok);
        }
        String full = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "c50", null, "presence", 600, 1);
        assertEquals(503, status(full), full);
        assertEquals("60", RawSip.header(full, "Retry-After"), full);
        assertEquals(50, adapter.presenceServer().subscriptions());
        assertEquals(1, adapter.presenceServer().refused());
        // another phone still gets in
        String other = subscribe(BOB_PUPPET, "sip:frank@sip.test", UUID.randomUUID().toString(), "f", null,
                "presence", 600, 1);
        assertEquals(200, status(other), other);
    }

    /** The next request the fake proxy receives (responses and retransmissions of other requests skipped). */
    private String proxyReceives(String method) {
        // the adapter reconciles its watch list with the stores every 5 s
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            String m = proxy.receive(); // null after the socket's 5 s timeout
            if (m != null && m.startsWith(method + " ")) {
                return m;
            }
        }
        throw new AssertionError("no " + method + " reached the proxy");
    }

    /** The fake proxy sends {@code head}+{@code body} to the adapter and returns the final response. */
    private String proxyRequest(String head, byte[] body) {
        proxy.send(port, head, body);
        while (true) {
            String m = proxy.receive();
            assertNotNull(m, "no response from the adapter");
            if (m.startsWith("SIP/2.0 ") && !m.startsWith("SIP/2.0 1")) {
                return m;
            }
        }
    }

    private String notifyHead(String callId, String toTag, String state, byte[] body) {
        return "NOTIFY sip:presence@127.0.0.1:" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + proxy.port() + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <" + ERIN + ">;tag=ps1\r\n"
                + "To: <sip:presence@" + D + ">;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 NOTIFY\r\n"
                + "Contact: <sip:127.0.0.1:" + proxy.port() + ">\r\n"
                + "Event: presence\r\n"
                + "Subscription-State: " + state + "\r\n"
                + (body.length == 0 ? "" : "Content-Type: application/pidf+xml\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
    }

    private static String tagOf(String header) {
        int i = header.indexOf(";tag=");
        return header.substring(i + 5).split(";")[0].trim();
    }

    @Test
    void aPhoneInADirectChatIsWatchedAndANotifyBeforeThe2xxCountsAndBecomesItsPresence() {
        stores.rooms().create("DM", List.of(Portal.of("matrix", "!dm:hs"),
                Portal.of("sip", "dm:sip:erin@sip.test " + BOB_PUPPET)), true);
        String subscribe = proxyReceives("SUBSCRIBE");
        assertTrue(subscribe.startsWith("SUBSCRIBE sip:erin@sip.test SIP/2.0"), subscribe);
        assertTrue(RawSip.header(subscribe, "From").contains("sip:presence@" + D), subscribe);
        assertEquals("presence", RawSip.header(subscribe, "Event"), subscribe);
        String callId = RawSip.header(subscribe, "Call-ID");
        String localTag = tagOf(RawSip.header(subscribe, "From"));

        // The NOTIFY overtakes the 2xx (RFC 6665 §4.1.2.4): accepted, and its state submitted as erin's presence.
        byte[] pidf = ("<?xml version=\"1.0\"?><presence xmlns=\"urn:ietf:params:xml:ns:pidf\" "
                + "xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" "
                + "entity=\"sip:erin@sip.test\"><tuple id=\"t\"><status><basic>open</basic></status><note>lunch</note>"
                + "</tuple><dm:person id=\"p\"><rpid:activities><rpid:away/></rpid:activities></dm:person></presence>")
                .getBytes(StandardCharsets.UTF_8);
        String ok = proxyRequest(notifyHead(callId, localTag, "active;expires=600", pidf), pidf);
        assertEquals(200, status(ok), ok);
        awaitTrue("erin's presence submitted", () -> submitted.stream().anyMatch(e -> e instanceof PresenceEvent p
                && p.sender().equals(UserRef.of("sip", "erin@sip.test")) && p.presence() == Presence.AWAY
                && p.note().equals(Optional.of("lunch"))));
        awaitTrue("the subscription counted as up", () -> adapter.phoneWatcher().active() == 1);

        // The same state again (a refresh's NOTIFY) is not submitted twice.
        long before = submitted.stream().filter(e -> e instanceof PresenceEvent).count();
        assertEquals(200, status(proxyRequest(notifyHead(callId, localTag, "active;expires=500", pidf), pidf)));
        assertEquals(before, submitted.stream().filter(e -> e instanceof PresenceEvent).count());

        // Hostile PIDF: 400, nothing submitted; a NOTIFY in a dialog the appliance does not know: 481.
        byte[] dtd = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><presence/>"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(400, status(proxyRequest(notifyHead(callId, localTag, "active;expires=500", dtd), dtd)));
        assertEquals(before, submitted.stream().filter(e -> e instanceof PresenceEvent).count());
        assertEquals(481, status(proxyRequest(notifyHead("stray-" + UUID.randomUUID(), "nope", "active", new byte[0]),
                new byte[0])));

        // terminated;reason=deactivated (the server going away): a new SUBSCRIBE at once, in a new dialog.
        assertEquals(200, status(proxyRequest(notifyHead(callId, localTag, "terminated;reason=deactivated",
                new byte[0]), new byte[0])));
        String again = proxyReceives("SUBSCRIBE");
        assertTrue(!callId.equals(RawSip.header(again, "Call-ID")), again);
    }

    /** A 200 to {@code request} (a NOTIFY the fake proxy received), sent back to the adapter. */
    private void proxyAnswers(String request) {
        StringBuilder resp = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : RawSip.headers(request)) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("to:")
                    || lower.startsWith("call-id:") || lower.startsWith("cseq:")) {
                resp.append(line).append("\r\n");
            }
        }
        proxy.send(port, resp.append("Content-Length: 0\r\n\r\n").toString(), new byte[0]);
    }

    /** The next NOTIFY with a CSeq other than {@code seenCseq} (UDP retransmissions of the one in flight skipped). */
    private String nextNotifyAfter(String seenCseq) {
        while (true) {
            String n = proxyReceives("NOTIFY");
            if (!RawSip.header(n, "CSeq").equals(seenCseq)) {
                return n;
            }
        }
    }

    @Test
    void changesWhileANotifyIsInFlightAreCoalescedToTheNewest() {
        String ok = subscribe(BOB_PUPPET, ERIN, UUID.randomUUID().toString(), "q1", null, "presence", 600, 1);
        assertEquals(200, status(ok), ok);
        String first = proxyReceives("NOTIFY"); // not answered yet: in flight
        for (Presence p : List.of(Presence.AWAY, Presence.DO_NOT_DISTURB, Presence.EXTENDED_AWAY)) {
            adapter.deliverPresence(new PresenceEvent(BOB, p, Optional.empty(), Profile.EMPTY, Instant.now()));
        }
        proxyAnswers(first);
        String second = nextNotifyAfter(RawSip.header(first, "CSeq"));
        // only the newest state follows: extended away (away + user-input idle), not away or busy
        assertTrue(RawSip.body(second).contains("<rpid:user-input>idle</rpid:user-input>"), second);
        proxyAnswers(second);
        // nothing else waits: the next NOTIFY is the one for the next change
        adapter.deliverPresence(new PresenceEvent(BOB, Presence.AVAILABLE, Optional.empty(), Profile.EMPTY,
                Instant.now()));
        String third = nextNotifyAfter(RawSip.header(second, "CSeq"));
        assertTrue(RawSip.body(third).contains("<basic>open</basic>") && !RawSip.body(third).contains("rpid:"), third);
        long c2 = Long.parseLong(RawSip.header(second, "CSeq").split(" ")[0]);
        long c3 = Long.parseLong(RawSip.header(third, "CSeq").split(" ")[0]);
        assertEquals(c2 + 1, c3, "no NOTIFY between: " + second + third);
    }
}
