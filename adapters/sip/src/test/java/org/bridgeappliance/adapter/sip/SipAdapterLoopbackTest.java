package org.bridgeappliance.adapter.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.adapter.sip.convert.InboundBody;
import org.bridgeappliance.adapter.sip.convert.SipInboundConverter;
import org.bridgeappliance.adapter.sip.offline.InMemorySipStore;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.router.FallbackPolicy;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.testing.MutableClock;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.port.DeliveryOutcomes;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter on a real Jain-SIP stack on loopback, spoken to by a hand-written UDP peer ({@link RawSip}) that
 * plays both the phone-side proxy (sending requests) and the proxy the adapter sends through. The core is
 * faked at its port (a recording {@link EventIngress}).
 */
class SipAdapterLoopbackTest {
    private static final String D = "bridge.sip.test";
    private static final String ERIN = "sip:erin@sip.test";
    private final RawSip phone = new RawSip();
    private final RawSip proxy = new RawSip();
    private final List<BridgeEvent> submitted = new CopyOnWriteArrayList<>();
    private final AtomicReference<RuntimeException> ingressFailure = new AtomicReference<>();
    private final BridgeStores stores = InMemoryStores.create();
    private final InMemorySipStore sipStore = new InMemorySipStore();
    private SipAdapter adapter;
    private int port;

    private SipAdapter start(List<String> trusted) {
        return start(trusted, Clock.systemUTC(), DeliveryOutcomes.NONE);
    }

    private SipAdapter start(List<String> trusted, Clock clock, DeliveryOutcomes outcomes) {
        port = freePort();
        SipSettings d = SipSettings.defaults();
        SipSettings s = new SipSettings(true, D, "127.0.0.1", port, "127.0.0.1", proxy.port(), trusted,
                d.networks(), 4096, 200, 1300, Duration.ofSeconds(3), Duration.ofHours(1), Duration.ofHours(1),
                2, 10, true);
        SipAdapter a = new SipAdapter(s, sipStore);
        a.setPresenceConfig(noPhoneWatching()); // this fake proxy answers MESSAGEs only (SipPresenceLoopbackTest)
        EventIngress ingress = e -> {
            if (ingressFailure.get() != null) {
                throw ingressFailure.get();
            }
            submitted.add(e);
            return EventIngress.Acceptance.QUEUED;
        };
        a.start(new AdapterContext(ingress, (n, st) -> { }, stores, clock, PortalCoordinator.NONE, Addressing.NONE,
                outcomes));
        assertEquals(AdapterState.Status.CONNECTED, a.state().status(), a.state().detail());
        return a;
    }

    /**
     * A port free for both UDP and TCP on loopback: the adapter listens on both, and a port the kernel hands out
     * as free for UDP can be taken for TCP (CI saw "cannot listen" once). Both sockets are held while checking.
     */
    static int freePort() {
        java.net.InetAddress lo = java.net.InetAddress.getLoopbackAddress();
        java.io.IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (java.net.DatagramSocket udp = new java.net.DatagramSocket(0, lo);
                    java.net.ServerSocket tcp = new java.net.ServerSocket()) {
                tcp.setReuseAddress(true);
                tcp.bind(new java.net.InetSocketAddress(lo, udp.getLocalPort()));
                return udp.getLocalPort();
            } catch (java.io.IOException e) {
                last = e;
            }
        }
        throw new java.io.UncheckedIOException(last);
    }

    static SipPresenceConfig noPhoneWatching() {
        SipPresenceConfig c = new SipPresenceConfig();
        c.setWatch(false);
        return c;
    }

    @AfterEach
    void stop() {
        if (adapter != null) {
            adapter.stop();
        }
        phone.close();
        proxy.close();
    }

    private String send(String to, String contentType, String body, int maxForwards) {
        return send(to, contentType, body.getBytes(StandardCharsets.UTF_8), maxForwards, UUID.randomUUID().toString());
    }

    private String send(String to, String contentType, byte[] body, int maxForwards, String callId) {
        return phone.request(port, phone.message(to, ERIN, callId, 1, contentType, body, maxForwards), body);
    }

    private BridgedRoom mapLobby() {
        return stores.rooms().create("Lobby", List.of(Portal.of("sip", "sip:lobby@rooms.bridge.sip.test"), Portal.of("matrix", "!l:hs")), true);
    }

    @Test
    void optionsIsAnswered200AndTheStackRestartsOnTheSamePort() {
        adapter = start(List.of("127.0.0.1"));
        assertTrue(phone.request(port, phone.options("sip:" + D, ERIN), new byte[0]).startsWith("SIP/2.0 200"));
        adapter.stop();
        // Same JVM, same port: the first stack released both listening points.
        SipSettings d = SipSettings.defaults();
        adapter = new SipAdapter(new SipSettings(true, D, "127.0.0.1", port, "127.0.0.1", proxy.port(),
                List.of("127.0.0.1"), d.networks(), 4096, 200, 1300, Duration.ofSeconds(3), Duration.ofHours(1),
                Duration.ofHours(1), 2, 10, true), sipStore);
        adapter.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, st) -> { }, stores, Clock.systemUTC()));
        assertEquals(AdapterState.Status.CONNECTED, adapter.state().status(), adapter.state().detail());
        assertTrue(phone.request(port, phone.options("sip:" + D, ERIN), new byte[0]).startsWith("SIP/2.0 200"));
    }

    @Test
    void requestsFromAnUntrustedAddressAreForbidden() {
        adapter = start(List.of("192.0.2.1"));
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", "hi", 70).startsWith("SIP/2.0 403"));
        assertTrue(submitted.isEmpty());
    }

    @Test
    void rfc3428Errors() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        assertTrue(send("sip:nowhere@rooms." + D, "text/plain", "hi", 70).startsWith("SIP/2.0 404"));
        assertTrue(send("sip:bob@xmpp." + D, "text/plain", "hi", 70).startsWith("SIP/2.0 404"));
        String r413 = send("sip:lobby@rooms." + D, "text/plain", "x".repeat(5000), 70);
        assertTrue(r413.startsWith("SIP/2.0 413"), r413);
        String r415 = send("sip:lobby@rooms." + D, "text/html", "<b>x</b>", 70);
        assertTrue(r415.startsWith("SIP/2.0 415"), r415);
        assertTrue(RawSip.header(r415, "Accept").contains("text/plain"), r415);
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", "hi", 0).startsWith("SIP/2.0 483"));
        assertTrue(submitted.isEmpty(), submitted.toString());
    }

    /** Found by SipHostileInputIT: Jain-SIP could not even answer a request whose charset the JVM does not know. */
    @Test
    void anUnknownCharsetGets400AndEveryAnswerIsCounted() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        for (String charset : List.of("klingon", "\"\"", "utf-9")) {
            String r = send("sip:lobby@rooms." + D, "text/plain;charset=" + charset, "hi", 70);
            assertTrue(r.startsWith("SIP/2.0 400"), charset + ": " + r);
        }
        assertTrue(phone.request(port, phone.options("sip:" + D, ERIN), new byte[0]).startsWith("SIP/2.0 200"));
        // counted right after the answer left: the phone may read it first
        waitUntil(() -> adapter.counters().containsKey("sip.answered.200"));
        assertEquals(java.util.Map.of("sip.answered.200", 1L, "sip.answered.400", 3L,
                "sip.offline.delivered", 0L, "sip.offline.expired", 0L), adapter.counters());
        assertTrue(submitted.isEmpty(), submitted.toString());
    }

    @Test
    void aMessageIsAcceptedOnceAndRetransmissionsAreNotCopied() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        String callId = UUID.randomUUID().toString();
        byte[] body = "héllo ✓".getBytes(StandardCharsets.UTF_8);
        String first = send("sip:lobby@rooms." + D, "text/plain", body, 70, callId);
        assertTrue(first.startsWith("SIP/2.0 202"), first);
        assertNull(RawSip.header(first, "Contact"), "RFC 3428: no Contact in a 2xx to MESSAGE");
        assertEquals(1, submitted.size());
        MessageEvent m = (MessageEvent) submitted.get(0);
        assertEquals("héllo ✓", m.body().plain());
        assertEquals(UserRef.of("sip", "erin@sip.test"), m.sender());
        assertEquals(Optional.of("Erin"), m.meta().profile().displayName());
        // the proxy retransmits after the transaction ended (new branch, same From/Call-ID/CSeq)
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", body, 70, callId).startsWith("SIP/2.0 202"));
        assertEquals(1, submitted.size());
    }

    @Test
    void aNonMemberGets403AndAnExplanation() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", "hi", 70).startsWith("SIP/2.0 403"));
        String notice = proxy.answerNext(200, "OK");
        assertTrue(RawSip.body(notice).contains("#join"), notice);
        assertTrue(RawSip.header(notice, "From").contains("sip:lobby@rooms." + D), notice);
        // "#join" makes erin a member and is answered by a notice, not posted
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", "#join", 70).startsWith("SIP/2.0 200"));
        assertTrue(RawSip.body(proxy.answerNext(200, "OK")).startsWith("*** You joined Lobby"));
        assertTrue(sipStore.members("lobby").contains("erin@sip.test"));
        // "#1 priority" is text
        assertTrue(send("sip:lobby@rooms." + D, "text/plain", "#1 priority", 70).startsWith("SIP/2.0 202"));
        assertEquals("#1 priority", ((MessageEvent) submitted.get(0)).body().plain());
    }

    @Test
    void whenTheCoreCannotQueueTheAnswerIs503WithRetryAfter() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        ingressFailure.set(new IngressUnavailableException("store down", null));
        String r = send("sip:lobby@rooms." + D, "text/plain", "hi", 70);
        assertTrue(r.startsWith("SIP/2.0 503"), r);
        assertEquals("10", RawSip.header(r, "Retry-After"));
    }

    @Test
    void outboundMessagesArePlainTextWithoutContactAndOfflinePhonesGetThemLater() {
        adapter = start(List.of("127.0.0.1"));
        BridgedRoom room = stores.rooms().create("Chat", List.of(Portal.of("matrix", "!dm:hs"),
                Portal.of("sip", "dm:sip:erin@sip.test sip:carol*matrix.test@matrix." + D)), true);
        MessageEvent m = MessageEvent.text(new EventMeta(Portal.of("matrix", "!dm:hs"), UserRef.of("matrix",
                "@carol:matrix.test"), new Profile(Optional.of("Carol"), Optional.empty()), Optional.empty(),
                java.time.Instant.now()), "héllo ✓");
        Delivery d = new Delivery(BridgeMessageId.of("m1"), room.id(), room.portalOn(SipAdapter.NETWORK).get(), m,
                Optional.empty(), Optional.empty(), 1);

        Thread t = new Thread(() -> adapter.deliver(d));
        t.start();
        String req = proxy.answerNext(404, "Not Found");
        assertTrue(req.startsWith("MESSAGE sip:erin@sip.test SIP/2.0"), req);
        assertNull(RawSip.header(req, "Contact"));
        assertEquals("text/plain;charset=UTF-8", RawSip.header(req, "Content-Type").replace(" ", ""));
        assertTrue(RawSip.header(req, "From").contains("<sip:carol*matrix.test@matrix." + D + ">"), req);
        assertTrue(RawSip.header(req, "From").startsWith("\"Carol\""), req);
        assertEquals("héllo ✓", RawSip.body(req));
        joinQuietly(t);
        assertEquals(1, sipStore.pendingFor("erin@sip.test", 10).size());

        // the phone shows up (the registrar's OPTIONS From it): the queue is flushed once
        phone.request(port, phone.options("sip:registrar@" + D, ERIN), new byte[0]);
        String again = proxy.answerNext(200, "OK");
        assertEquals("héllo ✓", RawSip.body(again));
        assertFalse(RawSip.header(again, "Call-ID").equals(RawSip.header(req, "Call-ID")), "fresh Call-ID");
        waitUntil(() -> sipStore.pendingFor("erin@sip.test", 10).isEmpty());
    }

    @Test
    void aPersonsNumericAliasReachesThemAsA1to1() {
        adapter = start(List.of("127.0.0.1"));
        BridgedRoom lobby = mapLobby();
        Portal dm = Portal.of("sip", ERIN_DM.substring(4));
        stores.rooms().create("Chat", List.of(Portal.of("matrix", "!erin:hs"), dm), true);
        UserRef carol = UserRef.of("matrix", "@carol:matrix.test");
        assertTrue(send("sip:7001@" + D, "text/plain", "before", 70).startsWith("SIP/2.0 404"), "no alias yet");

        assertTrue(adapter.setPersonAlias(carol, "7001"));
        assertEquals(Optional.of("7001"), adapter.personAlias(carol));
        String r = send("sip:7001@" + D, "text/plain", "dialled", 70);
        assertTrue(r.startsWith("SIP/2.0 202"), r);
        // the Kamailio range for rooms goes to rooms.D; an alias is one number space, so it works there too
        assertTrue(send("sip:7001@rooms." + D, "text/plain", "via rooms", 70).startsWith("SIP/2.0 202"));
        assertEquals(List.of("dialled", "via rooms"), submitted.stream().map(e -> ((MessageEvent) e).body().plain())
                .toList());
        assertTrue(submitted.stream().allMatch(e -> ((MessageEvent) e).meta().origin().equals(dm)), submitted.toString());
        assertTrue(send("sip:7002@" + D, "text/plain", "x", 70).startsWith("SIP/2.0 404"), "another number");

        // one number, one target: a room cannot take it, and a person cannot take a room's
        assertFalse(adapter.setAlias(lobby.portalOn(SipAdapter.NETWORK).get().room(), "7001"));
        assertTrue(adapter.setAlias(lobby.portalOn(SipAdapter.NETWORK).get().room(), "8001"));
        assertFalse(adapter.setPersonAlias(UserRef.of("xmpp", "bob@xmpp.test"), "8001"));
        assertFalse(adapter.setPersonAlias(UserRef.of("xmpp", "bob@xmpp.test"), "7001"), "carol's");
        assertThrows(IllegalArgumentException.class, () -> adapter.setPersonAlias(carol, "70a1"));
        assertThrows(IllegalArgumentException.class, () -> adapter.setPersonAlias(UserRef.of("irc", "dave"), "7003"),
                "no puppets for that network");
        assertThrows(IllegalArgumentException.class, () -> adapter.setPersonAlias(carol, "lobby"));

        // a room mapped later with those digits as its name keeps its own URI at rooms.D
        stores.rooms().create("Seventy", List.of(Portal.of("sip", "sip:7001@rooms." + D)), true);
        assertTrue(send("sip:7001@rooms." + D, "text/plain", "#1 to the room", 70).startsWith("SIP/2.0 403"),
                "the room's answer to a non-member");
        proxy.answerNext(200, "OK"); // its explanation
        assertTrue(send("sip:7001@" + D, "text/plain", "still carol", 70).startsWith("SIP/2.0 202"), "at D");
        assertTrue(adapter.removePersonAlias(carol));
        assertFalse(adapter.removePersonAlias(carol));
        assertTrue(send("sip:7001@" + D, "text/plain", "after", 70).startsWith("SIP/2.0 404"), "removed");
        assertEquals(3, submitted.size());
    }

    @Test
    void reactionsReachARoomsPhonesAsNoticesUntilAnAdminSwitchesThemOff() {
        adapter = start(List.of("127.0.0.1"));
        BridgedRoom lobby = mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        Portal portal = lobby.portalOn(SipAdapter.NETWORK).get();
        UserRef carol = UserRef.of("matrix", "@carol:matrix.test");
        ReactionEvent thumbs = new ReactionEvent(EventMeta.of(Portal.of("matrix", "!l:hs"), carol, "$r1",
                java.time.Instant.now()), RemoteMessageId.of("$m1"), "👍", true);
        Optional<Delivery.Reference> ref = Optional.of(new Delivery.Reference(List.of(RemoteMessageId.of("m1")),
                UserRef.of("sip", "erin@sip.test")));

        // default (as before the switch): the router turns the reaction into a text notice for the phones
        assertTrue(adapter.reactionsShown(portal.room()));
        FallbackPolicy.Plan shown = FallbackPolicy.plan(thumbs, adapter.capabilities(portal.room()), ref,
                Optional.empty(), Optional.empty());
        assertTrue(shown.steps().get(0).event() instanceof MessageEvent n && n.body().plain().contains("reacted 👍"),
                shown.toString());

        adapter.setReactionsShown(RemoteRoomId.of("sip:lobby@rooms." + D), false);
        assertFalse(adapter.reactionsShown(RemoteRoomId.of("lobby")), "the room as an admin may type it");
        assertFalse(sipStore.reactionsShown("lobby"), "durable");
        FallbackPolicy.Plan off = FallbackPolicy.plan(thumbs, adapter.capabilities(portal.room()), ref,
                Optional.empty(), Optional.empty());
        assertEquals(List.of(thumbs), off.steps().stream().map(FallbackPolicy.Step::event).toList(),
                "the reaction itself, not a notice");
        assertEquals(DeliveryReceipt.NONE, adapter.deliver(new Delivery(BridgeMessageId.of("r1"), lobby.id(), portal,
                thumbs, ref, Optional.empty(), 1)));
        // nothing went to the phones: the next request the proxy sees is the next message
        MessageEvent m = MessageEvent.text(EventMeta.of(Portal.of("matrix", "!l:hs"), carol, "$m2",
                java.time.Instant.now()), "after the reaction");
        Thread t = new Thread(() -> adapter.deliver(new Delivery(BridgeMessageId.of("m2"), lobby.id(), portal, m,
                Optional.empty(), Optional.empty(), 1)));
        t.start();
        assertTrue(RawSip.body(proxy.answerNext(200, "OK")).endsWith("after the reaction"));
        joinQuietly(t);
        assertFalse(adapter.capabilities(RemoteRoomId.of(ERIN_DM.substring(4))).reactions(),
                "1:1 chats keep the notices");

        adapter.setReactionsShown(portal.room(), true);
        assertFalse(adapter.capabilities(portal.room()).reactions(), "notices again");
        assertThrows(IllegalArgumentException.class, () -> adapter.setReactionsShown(RemoteRoomId.of("a b"), false));
    }

    @Test
    void aPhoneThatAskedForPositiveDeliveryGetsAnImdnOnceItsMessageIsAccepted() {
        adapter = start(List.of("127.0.0.1"));
        Portal dm = Portal.of("sip", ERIN_DM.substring(4));
        BridgedRoom room = stores.rooms().create("Chat", List.of(Portal.of("matrix", "!erin:hs"), dm), true);
        String puppet = "sip:carol*matrix.test@matrix." + D;
        String cpim = "From: <" + ERIN + ">\r\nTo: <" + puppet + ">\r\nDateTime: 2026-12-03T10:00:00Z\r\n"
                + "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: erin-<&>2\r\n"
                + "imdn.Disposition-Notification: positive-delivery, display\r\n\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\n\r\ntell me when";
        String callId = UUID.randomUUID().toString();
        byte[] bytes = cpim.getBytes(StandardCharsets.UTF_8);
        assertTrue(send(puppet, "message/cpim", bytes, 70, callId).startsWith("SIP/2.0 202"));
        assertEquals("tell me when", ((MessageEvent) submitted.get(0)).body().plain());

        String imdn = proxy.answerNext(200, "OK");
        assertTrue(imdn.startsWith("MESSAGE sip:erin@sip.test SIP/2.0"), imdn);
        assertEquals("message/cpim", RawSip.header(imdn, "Content-Type").replace(" ", ""));
        assertTrue(RawSip.header(imdn, "From").contains("<" + puppet + ">"), "From the URI the phone wrote to");
        String body = RawSip.body(imdn);
        assertTrue(body.contains("Content-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n")
                && body.contains("<message-id>erin-&lt;&amp;&gt;2</message-id>")
                && body.contains("<datetime>2026-12-03T10:00:00Z</datetime>")
                && body.contains("<status><delivered/></status>"), body);
        // what a phone reads in it is what the adapter itself reads in a phone's IMDN: "erin-<&>2" was delivered
        assertEquals(new InboundBody.Disposition("erin-<&>2", false),
                SipInboundConverter.decode("message/cpim", body.getBytes(StandardCharsets.UTF_8)));

        // a retransmission is answered 202 again without a second notification, and a CPIM message that asked
        // for display notifications only gets none: the proxy's next request is the next chat message
        assertTrue(send(puppet, "message/cpim", bytes, 70, callId).startsWith("SIP/2.0 202"));
        assertTrue(send(puppet, "message/cpim", cpim.replace("erin-<&>2", "erin-3").replace("positive-delivery, ", "")
                .getBytes(StandardCharsets.UTF_8), 70, UUID.randomUUID().toString()).startsWith("SIP/2.0 202"));
        assertEquals(2, submitted.size());
        MessageEvent m = MessageEvent.text(EventMeta.of(Portal.of("matrix", "!erin:hs"),
                UserRef.of("matrix", "@carol:matrix.test"), "$next", java.time.Instant.now()), "next");
        Thread t = new Thread(() -> adapter.deliver(new Delivery(BridgeMessageId.of("m-next"), room.id(), dm, m,
                Optional.empty(), Optional.empty(), 1)));
        t.start();
        assertTrue(RawSip.body(proxy.answerNext(200, "OK")).endsWith("next"));
        joinQuietly(t);
    }

    /** Records the late outcomes the adapter reports, as "delivered m" / "failed m: reason". */
    private static final class RecordedOutcomes implements DeliveryOutcomes {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void delivered(BridgeMessageId messageId, Portal target) {
            seen.add("delivered " + messageId.value() + " " + target);
        }

        @Override
        public void failed(BridgeMessageId messageId, Portal target, String reason) {
            seen.add("failed " + messageId.value() + " " + target + ": " + reason);
        }
    }

    /** A 1:1 delivery from Carol to Erin's phone, which the proxy answers {@code status} at first. */
    private DeliveryReceipt deliverToErin(String messageId, String text, int status, String reason) {
        Portal dm = Portal.of("sip", ERIN_DM.substring(4));
        BridgedRoom room = stores.rooms().findByPortal(dm).orElseGet(() -> stores.rooms().create("Chat",
                List.of(Portal.of("matrix", "!erin:hs"), dm), true));
        MessageEvent m = MessageEvent.text(EventMeta.of(Portal.of("matrix", "!erin:hs"),
                UserRef.of("matrix", "@carol:matrix.test"), "$" + messageId, java.time.Instant.now()), text);
        Delivery d = new Delivery(BridgeMessageId.of(messageId), room.id(), room.portalOn(SipAdapter.NETWORK).get(), m,
                Optional.empty(), Optional.empty(), 1);
        AtomicReference<DeliveryReceipt> receipt = new AtomicReference<>();
        Thread t = new Thread(() -> receipt.set(adapter.deliver(d)));
        t.start();
        assertEquals(text, RawSip.body(proxy.answerNext(status, reason)));
        joinQuietly(t);
        return receipt.get();
    }

    private static final String ERIN_DM = "sip:dm:sip:erin@sip.test sip:carol*matrix.test@matrix." + D;

    @Test
    void typingGoesOnlyToAPhoneThatSentIsComposingUntilItAnswers415() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        RemoteRoomId dmRoom = RemoteRoomId.of(ERIN_DM.substring(4));
        assertFalse(adapter.capabilities(dmRoom).typing(), "no typing before the phone used is-composing");
        String composing = "<?xml version=\"1.0\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                + "<state>active</state></isComposing>";
        assertTrue(send("sip:lobby@rooms." + D, "application/im-iscomposing+xml", composing, 70).startsWith("SIP/2.0 200"));
        assertTrue(adapter.capabilities(dmRoom).typing());

        Portal dm = Portal.of("sip", ERIN_DM.substring(4));
        BridgedRoom room = stores.rooms().create("Chat", List.of(Portal.of("matrix", "!erin:hs"), dm), true);
        TypingEvent typing = new TypingEvent(EventMeta.of(Portal.of("matrix", "!erin:hs"),
                UserRef.of("matrix", "@carol:matrix.test"), "$t", java.time.Instant.now()), true);
        adapter.deliver(new Delivery(BridgeMessageId.of("m-typing"), room.id(), dm, typing, Optional.empty(),
                Optional.empty(), 1));
        String req = proxy.answerNext(415, "Unsupported Media Type");
        assertEquals("application/im-iscomposing+xml", RawSip.header(req, "Content-Type").replace(" ", ""));
        assertTrue(RawSip.body(req).contains("<state>active</state>") && RawSip.body(req).contains("<refresh>60</refresh>"),
                req);
        assertTrue(RawSip.header(req, "From").contains("<sip:carol*matrix.test@matrix." + D + ">"), req);
        waitUntil(() -> !adapter.capabilities(dmRoom).typing());
    }

    @Test
    void aPhoneThatUsedCpimGetsCpimAndAfterA415PlainTextOnce() {
        adapter = start(List.of("127.0.0.1"));
        mapLobby();
        sipStore.addMember("lobby", "erin@sip.test");
        String cpim = "From: <" + ERIN + ">\r\nTo: <sip:lobby@rooms." + D + ">\r\nNS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: erin-1\r\n\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nhi in cpim";
        assertTrue(send("sip:lobby@rooms." + D, "message/cpim", cpim, 70).startsWith("SIP/2.0 202"));

        Portal dm = Portal.of("sip", ERIN_DM.substring(4));
        BridgedRoom room = stores.rooms().create("Chat", List.of(Portal.of("matrix", "!erin:hs"), dm), true);
        MessageEvent m = MessageEvent.text(EventMeta.of(Portal.of("matrix", "!erin:hs"),
                UserRef.of("matrix", "@carol:matrix.test"), "$cpim", java.time.Instant.now()), "héllo ✓");
        Delivery d = new Delivery(BridgeMessageId.of("m-cpim"), room.id(), dm, m, Optional.empty(), Optional.empty(), 1);
        AtomicReference<DeliveryReceipt> receipt = new AtomicReference<>();
        Thread t = new Thread(() -> receipt.set(adapter.deliver(d)));
        t.start();
        String wrapped = proxy.answerNext(415, "Unsupported Media Type");
        assertEquals("message/cpim", RawSip.header(wrapped, "Content-Type").replace(" ", ""));
        String body = RawSip.body(wrapped);
        assertTrue(body.contains("imdn.Message-ID: ") && body.contains("imdn.Disposition-Notification: positive-delivery")
                && body.contains("From: <sip:carol*matrix.test@matrix." + D + ">")
                && body.endsWith("Content-Type: text/plain;charset=UTF-8\r\n\r\nhéllo ✓"), body);
        String plain = proxy.answerNext(200, "OK");
        assertEquals("text/plain;charset=UTF-8", RawSip.header(plain, "Content-Type").replace(" ", ""));
        assertEquals("héllo ✓", RawSip.body(plain));
        joinQuietly(t);
        assertFalse(receipt.get().awaitingOutcome());
        assertFalse(adapter.sendsCpimTo("erin@sip.test"), "after a 415, plain text from then on");
    }

    @Test
    void anOfflinePhoneMakesTheDeliveryAwaitedAndItsLaterArrivalIsReportedOnce() {
        RecordedOutcomes outcomes = new RecordedOutcomes();
        adapter = start(List.of("127.0.0.1"), new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), outcomes);
        DeliveryReceipt receipt = deliverToErin("m3", "later", 480, "Temporarily Unavailable");
        assertTrue(receipt.awaitingOutcome(), "a queued 1:1 message awaits its outcome");
        assertEquals(List.of(), outcomes.seen);

        phone.request(port, phone.options("sip:registrar@" + D, ERIN), new byte[0]);
        assertEquals("later", RawSip.body(proxy.answerNext(200, "OK")));
        waitUntil(() -> !outcomes.seen.isEmpty());
        waitUntil(() -> sipStore.pendingFor("erin@sip.test", 10).isEmpty());
        assertEquals(List.of("delivered m3 " + ERIN_DM), outcomes.seen);

        // delivered at once: a plain receipt, nothing reported
        assertFalse(deliverToErin("m4", "now", 200, "OK").awaitingOutcome());
        assertEquals(List.of("delivered m3 " + ERIN_DM), outcomes.seen);
    }

    @Test
    void aQueuedMessageThatExpiresIsReportedFailedWithAReason() {
        RecordedOutcomes outcomes = new RecordedOutcomes();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        adapter = start(List.of("127.0.0.1"), clock, outcomes);
        assertTrue(deliverToErin("m5", "too late", 404, "Not Found").awaitingOutcome());

        clock.advance(Duration.ofHours(1).plusSeconds(1)); // the TTL of start() is 1 h
        // the phone shows up after the TTL: the entry is dropped, not sent, and its author told once
        phone.request(port, phone.options("sip:registrar@" + D, ERIN), new byte[0]);
        waitUntil(() -> !outcomes.seen.isEmpty());
        waitUntil(() -> sipStore.pendingFor("erin@sip.test", 10).isEmpty());
        assertEquals(List.of("failed m5 " + ERIN_DM + ": the phone did not come back within 1 h"), outcomes.seen);
        assertEquals(0, adapter.offlineDelivered());
    }

    @Test
    void longMessagesAreSentAsOrderedParts() {
        adapter = start(List.of("127.0.0.1"));
        BridgedRoom room = stores.rooms().create("Chat", List.of(Portal.of("matrix", "!dm:hs"),
                Portal.of("sip", "dm:sip:erin@sip.test sip:carol*matrix.test@matrix." + D)), true);
        MessageEvent m = MessageEvent.text(EventMeta.of(Portal.of("matrix", "!dm:hs"),
                UserRef.of("matrix", "@carol:matrix.test"), "$1", java.time.Instant.now()), "ab ".repeat(150));
        Delivery d = new Delivery(BridgeMessageId.of("m2"), room.id(), room.portalOn(SipAdapter.NETWORK).get(), m,
                Optional.empty(), Optional.empty(), 1);
        AtomicReference<DeliveryReceipt> receipt = new AtomicReference<>();
        Thread t = new Thread(() -> receipt.set(adapter.deliver(d)));
        t.start();
        for (int i = 1; i <= 3; i++) {
            assertTrue(RawSip.body(proxy.answerNext(200, "OK")).startsWith("(" + i + "/3) "));
        }
        joinQuietly(t);
        assertEquals(3, receipt.get().remoteIds().size());
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertFalse(t.isAlive());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 5 s");
            }
            Thread.onSpinWait();
        }
    }
}
