package org.bridgeappliance.adapter.xmpp;

import static org.junit.jupiter.api.Assertions.*;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarController;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarImages;
import org.bridgeappliance.adapter.xmpp.avatar.AvatarLinks;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * XMPP users' avatars through the whole adapter, against a scripted component port: a XEP-0153 hash in a
 * presence makes the adapter ask for the vCard (XEP-0054), the answer becomes a PROFILE_CHANGE (rooms) or a
 * presence update (1:1 contacts) carrying the signed link, and {@link AvatarController} serves that link.
 */
class XmppAvatarAdapterTest {
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String ROOM = "room@conference.xmpp.test";
    static final String PUPPET = "bob%matrix.test@matrix.xmpp.test";
    static final byte[] PNG = png();
    static final String SHA1 = AvatarImages.sha1Hex(PNG);

    FakeComponentServer server;
    XmppAdapterBean bean;
    FakeComponentServer.Peer peer;
    final BridgeStores stores = InMemoryStores.create();
    final BlockingQueue<BridgeEvent> submitted = new LinkedBlockingQueue<>();

    /** A 1x1 PNG (signature, IHDR, IDAT, IEND) as real clients send. */
    static byte[] png() {
        return Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    }

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (bean != null) {
            bean.stop();
        }
        server.close();
    }

    void start(String publicBaseUrl) throws Exception {
        XmppConfig config = new XmppConfig();
        config.setEnabled(true);
        config.setPort(server.port());
        config.setSecret("secret");
        config.setReconnectMin(Duration.ofMillis(20));
        config.setReconnectMax(Duration.ofMillis(100));
        config.setJoinTimeout(Duration.ofSeconds(3));
        config.setPublicBaseUrl(publicBaseUrl);
        bean = new XmppAdapterBean(config);
        bean.start(new AdapterContext(e -> {
            submitted.add(e);
            return EventIngress.Acceptance.QUEUED;
        }, (n, s) -> { }, stores, Clock.systemUTC()));
        peer = server.awaitPeer(WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (bean.state().status() != AdapterState.Status.CONNECTED) {
            assertTrue(System.nanoTime() < deadline, "not connected: " + bean.state());
            Thread.onSpinWait();
        }
    }

    Matcher expect(String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    BridgeEvent await(Predicate<BridgeEvent> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<BridgeEvent> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            BridgeEvent e = submitted.poll(50, TimeUnit.MILLISECONDS);
            if (e != null) {
                if (wanted.test(e)) {
                    return e;
                }
                seen.add(e);
            }
        }
        throw new AssertionError("not submitted; saw " + seen);
    }

    /** Answers the adapter's next vCard request (asserting where it went) with a vCard holding {@link #PNG}. */
    void answerVcardRequest(String expectedFrom, String expectedTo) throws Exception {
        Matcher iq = expect("<iq[^>]*>\\s*<vCard xmlns='vcard-temp'\\s*/>\\s*</iq>");
        String xml = iq.group();
        assertTrue(xml.contains("type='get'"), xml);
        assertTrue(xml.contains("from='" + expectedFrom + "'"), xml);
        assertTrue(xml.contains("to='" + expectedTo + "'"), xml);
        Matcher id = Pattern.compile("id='([^']+)'").matcher(xml);
        assertTrue(id.find());
        peer.send("<iq type='result' id='" + id.group(1) + "' from='" + expectedTo + "' to='" + expectedFrom + "'>"
                + "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>"
                + Base64.getEncoder().encodeToString(PNG) + "</BINVAL></PHOTO></vCard></iq>");
    }

    @Test
    void aMucOccupantsAvatarBecomesAProfileChangeAndIsServed() throws Exception {
        stores.rooms().create("room", List.of(Portal.of("xmpp", ROOM), Portal.of("matrix", "!r:matrix.test")), true);
        start("http://127.0.0.1:18480");
        expect("<presence(?=[^>]*from='matrix.xmpp.test/muc-listener')[^>]*to='" + ROOM + "/Matrix bridge'");
        peer.send("<presence from='" + ROOM + "/Matrix bridge' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/>"
                + "<status code='110'/></x></presence>");
        // Ava joins a semi-anonymous room; her presence announces her avatar (XEP-0153).
        peer.send("<presence from='" + ROOM + "/Ava' to='matrix.xmpp.test/muc-listener'>"
                + "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/></x>"
                + "<x xmlns='vcard-temp:x:update'><photo>" + SHA1 + "</photo></x></presence>");
        UserRef ava = UserRef.of("xmpp", ROOM + "/Ava");
        var join = (MembershipEvent) await(e -> e instanceof MembershipEvent m && m.membership() == MembershipEvent.Membership.JOIN);
        assertEquals(ava, join.subject());
        assertEquals(Optional.empty(), join.meta().profile().avatar(), "not fetched yet");
        // The vCard is asked for through the room, from our occupant (XEP-0045 only passes occupants' IQs).
        answerVcardRequest("matrix.xmpp.test/muc-listener", ROOM + "/Ava");
        var change = (MembershipEvent) await(e -> e instanceof MembershipEvent m
                && m.membership() == MembershipEvent.Membership.PROFILE_CHANGE);
        assertEquals(ava, change.subject());
        assertEquals(ava, change.sender());
        assertEquals(Portal.of("xmpp", ROOM), change.origin());
        assertEquals(Optional.of("Ava"), change.meta().profile().displayName());
        URI link = change.meta().profile().avatar().orElseThrow();
        assertEquals(new AvatarLinks("http://127.0.0.1:18480", "secret").link(ava.user().value(), SHA1), link);

        // Her next message carries the same profile.
        peer.send("<message from='" + ROOM + "/Ava' to='matrix.xmpp.test/muc-listener' type='groupchat' id='a1'>"
                + "<body>hi</body></message>");
        var message = (MessageEvent) await(e -> e instanceof MessageEvent);
        assertEquals(Optional.of(link), message.meta().profile().avatar());

        // The link is served with headers that keep browsers from interpreting it.
        AvatarController controller = new AvatarController(bean);
        String[] p = link.getPath().substring(AvatarLinks.PATH.length()).split("/");
        HttpResponse<byte[]> ok = controller.avatar(p[0], p[1], p[2]);
        assertEquals(HttpStatus.OK, ok.getStatus());
        assertArrayEquals(PNG, ok.body());
        assertEquals("image/png", ok.getContentType().orElseThrow().toString());
        assertEquals("nosniff", ok.getHeaders().get("X-Content-Type-Options"));
        assertEquals("sandbox; default-src 'none'", ok.getHeaders().get("Content-Security-Policy"));
        assertTrue(ok.getHeaders().get("Cache-Control").contains("max-age"));
        assertEquals(HttpStatus.NOT_FOUND, controller.avatar(p[0], p[1], "forged").getStatus());
        assertEquals(HttpStatus.NOT_FOUND, controller.avatar(AvatarLinks.escape(ROOM + "/Eve"), p[1], p[2]).getStatus());
    }

    @Test
    void aOneToOneContactsAvatarComesWithTheirPresenceAgain() throws Exception {
        start("http://127.0.0.1:18480/");
        peer.send("<presence from='alice@xmpp.test/phone' to='" + PUPPET + "'><show>away</show>"
                + "<x xmlns='vcard-temp:x:update'><photo>" + SHA1 + "</photo></x></presence>");
        var first = (PresenceEvent) await(e -> e instanceof PresenceEvent);
        assertEquals(Optional.empty(), first.profile().avatar());
        // Asked for from the puppet the presence was sent to, at the user's bare JID (XEP-0054).
        answerVcardRequest(PUPPET, "alice@xmpp.test");
        var again = (PresenceEvent) await(e -> e instanceof PresenceEvent);
        assertEquals(UserRef.of("xmpp", "alice@xmpp.test"), again.sender());
        assertEquals(first.presence(), again.presence(), "the current presence, with the new profile");
        assertEquals(Optional.of("alice"), again.profile().displayName());
        assertTrue(again.profile().avatar().orElseThrow().getPath().contains("/alice@xmpp.test/" + SHA1 + "/"),
                again.profile().toString());
    }

    @Test
    void aContactWhoOnlyWritesGetsTheAvatarAsAProfileChangeInTheirChat() throws Exception {
        Portal dm = new Portal(org.bridgeappliance.core.id.Network.of("xmpp"), org.bridgeappliance.adapter.xmpp.address
                .DirectChatIds.of(org.jxmpp.jid.impl.JidCreate.entityBareFrom("alice@xmpp.test"),
                        org.jxmpp.jid.impl.JidCreate.entityBareFrom(PUPPET)));
        stores.rooms().create("dm", List.of(dm, Portal.of("matrix", "!dm:matrix.test")), true);
        start("http://127.0.0.1:18480");
        peer.send("<message from='alice@xmpp.test/phone' to='" + PUPPET + "' type='chat' id='m1'><body>hi</body></message>");
        var first = (MessageEvent) await(e -> e instanceof MessageEvent);
        assertEquals(Optional.empty(), first.meta().profile().avatar(), "not fetched yet");
        // First sight: the vCard is asked for once, from the puppet she wrote to.
        answerVcardRequest(PUPPET, "alice@xmpp.test");
        var change = (MembershipEvent) await(e -> e instanceof MembershipEvent m
                && m.membership() == MembershipEvent.Membership.PROFILE_CHANGE);
        UserRef alice = UserRef.of("xmpp", "alice@xmpp.test");
        assertEquals(alice, change.subject());
        assertEquals(dm, change.origin(), "announced in her chat: she never sent presence");
        assertEquals(Optional.of("alice"), change.meta().profile().displayName());
        assertTrue(change.meta().profile().avatar().orElseThrow().getPath().contains("/alice@xmpp.test/" + SHA1 + "/"),
                change.meta().profile().toString());
    }

    @Test
    void withoutAPublicBaseUrlNoVcardIsAskedFor() throws Exception {
        start("");
        peer.send("<presence from='alice@xmpp.test/phone' to='" + PUPPET + "'>"
                + "<x xmlns='vcard-temp:x:update'><photo>" + SHA1 + "</photo></x></presence>");
        var presence = (PresenceEvent) await(e -> e instanceof PresenceEvent);
        assertEquals(Optional.empty(), presence.profile().avatar());
        // A ping after the presence: its answer arriving first proves no vCard request was written before it.
        peer.send("<iq type='get' id='sync' from='alice@xmpp.test/phone' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
        Matcher upToPing = expect("id='sync'");
        assertFalse(peer.received().substring(0, upToPing.end()).contains("vcard-temp'/>"), peer.received());
        assertEquals(0, bean.adapter().avatars().orElseThrow().fetchesStarted());
        assertEquals(HttpStatus.SERVICE_UNAVAILABLE, new AvatarController(bean).avatar("alice@xmpp.test", SHA1, "x")
                .getStatus());
    }

    @Test
    void anInvalidPublicBaseUrlFailsTheStart() {
        XmppConfig config = new XmppConfig();
        config.setEnabled(true);
        config.setSecret("s");
        config.setPublicBaseUrl("ftp://bridge.example.org");
        XmppAdapterBean b = new XmppAdapterBean(config);
        b.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, s) -> { }, stores, Clock.systemUTC()));
        assertEquals(AdapterState.Status.FAILED, b.state().status());
        assertTrue(b.state().detail().contains("public-base-url"), b.state().detail());
        b.stop();
    }
}
