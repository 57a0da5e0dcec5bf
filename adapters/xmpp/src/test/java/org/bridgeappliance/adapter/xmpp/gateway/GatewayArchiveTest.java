package org.bridgeappliance.adapter.xmpp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.XmppAdapter;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gateway history (XEP-0045 §7.2.14) and MAM (XEP-0313) from the bridge's archive, through a real router: the
 * archive outlives the adapter (a second adapter over the same stores serves it), ids match the live ones,
 * and RSM paging walks the archive both ways.
 */
class GatewayArchiveTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String GW = "#room%matrix.test@matrix.xmpp.test";
    private static final Portal MATRIX_ROOM = Portal.of("matrix", "!gw:matrix.test");
    private static final RouterConfig FAST = new RouterConfig(3, Duration.ofMillis(5), Duration.ofMillis(20), 100,
            Duration.ofSeconds(2));

    private FakeComponentServer server;
    private final BridgeStores stores = InMemoryStores.create();
    private Router router;
    private RecordingAdapter matrix;
    private FakeComponentServer.Peer peer;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeComponentServer("secret");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (router != null) {
            router.close();
        }
        server.close();
    }

    private XmppSettings settings() {
        return new XmppSettings(true, "127.0.0.1", server.port(), "secret", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5), "Matrix bridge", true, 20);
    }

    private final PortalCoordinator coordinator = new PortalCoordinator() {
        @Override
        public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
            return Optional.empty();
        }

        @Override
        public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
            return Optional.of(stores.rooms().findByPortal(origin)
                    .orElseGet(() -> stores.rooms().create(address, List.of(origin, MATRIX_ROOM), true)));
        }
    };

    /** A fresh adapter and router over the same stores: what a restart of the appliance does. */
    private void startBridge() throws Exception {
        if (router != null) {
            router.close();
        }
        matrix = new RecordingAdapter("matrix");
        XmppAdapter xmpp = new XmppAdapter(settings(), () -> 0.5);
        xmpp.setLimits(org.bridgeappliance.adapter.xmpp.limits.XmppLimits.defaults().withMatrixServerName("matrix.test"));
        router = new Router(stores, List.of(xmpp, matrix), FAST, Clock.systemUTC(), coordinator);
        router.start();
        peer = server.awaitPeer(WAIT);
        assertTrue(peer.authenticated());
    }

    private Matcher expect(String regex) throws Exception {
        return peer.readUntil(Pattern.compile(regex, Pattern.DOTALL), WAIT);
    }

    private void join(String user, String nick, String history) throws Exception {
        peer.send("<presence from='" + user + "' to='" + GW + "/" + nick + "'><x xmlns='http://jabber.org/protocol/muc'>"
                + history + "</x></presence>");
        expect("<presence[^>]*from='" + Pattern.quote(GW + "/" + nick) + "'[^>]*>.*?code='110'.*?</presence>");
    }

    private static String stanzaId(String stanza) {
        Matcher m = Pattern.compile("<stanza-id xmlns='urn:xmpp:sid:0' id='([^']+)'").matcher(stanza);
        assertTrue(m.find(), stanza);
        return m.group(1);
    }

    /** Sends a MAM query and returns (result ids in order, the fin element). */
    private record Page(List<String> ids, List<String> bodies, String fin) {
        boolean complete() {
            return fin.contains("complete='true'");
        }
    }

    private Page mam(String from, String id, String form, String rsm) throws Exception {
        peer.send("<iq type='set' id='" + id + "' from='" + from + "' to='" + GW + "'><query xmlns='urn:xmpp:mam:2'"
                + " queryid='" + id + "'>" + form + rsm + "</query></iq>");
        Matcher all = expect("(.*?)(<iq[^>]*id='" + id + "'.*?</iq>)");
        List<String> ids = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        Matcher r = Pattern.compile("<result xmlns='urn:xmpp:mam:2' queryid='" + id + "' id='([^']+)'>.*?<body>([^<]*)"
                + "</body>", Pattern.DOTALL).matcher(all.group(1));
        while (r.find()) {
            ids.add(r.group(1));
            bodies.add(r.group(2));
        }
        return new Page(ids, bodies, all.group(2));
    }

    private static String form(String fields) {
        return "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2"
                + "</value></field>" + fields + "</x>";
    }

    @Test
    void historyAndMamSurviveARestartWithTheLiveIdsAndPageBothWays() throws Exception {
        startBridge();
        join("carol@xmpp.test/pc", "carol", "");
        expect("<message[^>]*type='groupchat'[^>]*><subject");
        List<String> live = new ArrayList<>();
        for (String[] m : new String[][] {{"c1", "one"}, {"c2", "two"}, {"c3", "three"}}) {
            peer.send("<message from='carol@xmpp.test/pc' to='" + GW + "' type='groupchat' id='" + m[0] + "'><body>"
                    + m[1] + "</body></message>");
            live.add(stanzaId(expect("<message[^>]*id='" + m[0] + "'.*?</message>").group()));
        }
        // XEP-0308: the archive keeps the corrected text under the original message.
        peer.send("<message from='carol@xmpp.test/pc' to='" + GW + "' type='groupchat' id='c4'><body>two fixed</body>"
                + "<replace xmlns='urn:xmpp:message-correct:0' id='c2'/></message>");
        expect("<message[^>]*id='c4'.*?</message>");
        // A Matrix user's message, delivered into the gateway room by the router.
        UserRef bob = UserRef.of("matrix", "@bob:matrix.test");
        assertEquals(Acceptance.QUEUED, router.submit(MessageEvent.text(new EventMeta(MATRIX_ROOM, bob,
                Profile.named("Bob"), Optional.of(org.bridgeappliance.core.id.RemoteMessageId.of("$b1")),
                Instant.now()), "from matrix")));
        Matcher fromMatrix = expect("<message[^>]*type='groupchat'[^>]*>(?:(?!</message>).)*<body>from matrix</body>"
                + ".*?</message>");
        live.add(stanzaId(fromMatrix.group()));
        BridgedRoom room = stores.rooms().findByPortal(Portal.of("xmpp", GW)).orElseThrow();
        assertEquals(live.get(3), stores.archive().query(ArchiveQuery.newest(room.id(), 1)).get(0).id().value(),
                "a delivered message carries the canonical id as its stanza-id");

        startBridge(); // restart: a new adapter and router over the same stores
        join("dave@xmpp.test/laptop", "dave", "<history maxstanzas='3'/>");
        Matcher history = expect("(.*?)<message[^>]*type='groupchat'[^>]*><subject");
        Matcher h = Pattern.compile("<message[^>]*>.*?<body>([^<]*)</body>.*?</message>", Pattern.DOTALL)
                .matcher(history.group(1));
        List<String> bodies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (h.find()) {
            bodies.add(h.group(1));
            ids.add(stanzaId(h.group()));
            assertTrue(h.group().contains("urn:xmpp:delay"), h.group());
        }
        assertEquals(List.of("two fixed", "three", "from matrix"), bodies);
        assertEquals(live.subList(1, 4), ids, "history shows the ids the messages had live");
        assertTrue(history.group(1).contains("from='" + GW + "/carol'"), history.group(1));

        // MAM forward paging from the start.
        String dave = "dave@xmpp.test/laptop";
        String rsmMax2 = "<set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set>";
        Page p1 = mam(dave, "q1", "", rsmMax2);
        assertEquals(live.subList(0, 2), p1.ids());
        assertEquals(List.of("one", "two fixed"), p1.bodies());
        assertFalse(p1.complete(), p1.fin());
        assertTrue(p1.fin().contains("<first>" + live.get(0) + "</first>") || p1.fin().contains(">" + live.get(0)
                + "</first>"), p1.fin());
        assertTrue(p1.fin().contains(live.get(1) + "</last>"), p1.fin());
        Page p2 = mam(dave, "q2", "", "<set xmlns='http://jabber.org/protocol/rsm'><max>2</max><after>"
                + live.get(1) + "</after></set>");
        assertEquals(live.subList(2, 4), p2.ids());
        assertTrue(p2.complete(), p2.fin());
        // Backwards: the last page, then before its first item.
        Page last = mam(dave, "q3", "", "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><before/></set>");
        assertEquals(List.of(live.get(3)), last.ids());
        assertFalse(last.complete(), last.fin());
        Page back = mam(dave, "q4", "", "<set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before>"
                + live.get(3) + "</before></set>");
        assertEquals(live.subList(0, 3), back.ids());
        assertTrue(back.complete(), back.fin());
        // Form fields: with (an XMPP user, a Matrix puppet), start in the future.
        assertEquals(live.subList(0, 3), mam(dave, "q5", form("<field var='with'><value>carol@xmpp.test</value></field>"),
                "").ids());
        assertEquals(List.of(live.get(3)), mam(dave, "q6", form("<field var='with'><value>bob%matrix.test@matrix.xmpp.test"
                + "</value></field>"), "").ids());
        Page none = mam(dave, "q7", form("<field var='start'><value>2999-01-01T00:00:00Z</value></field>"), "");
        assertEquals(List.of(), none.ids());
        assertTrue(none.complete(), none.fin());
        // Errors: an unknown paging id, a malformed date, a non-occupant.
        peer.send("<iq type='set' id='e1' from='" + dave + "' to='" + GW + "'><query xmlns='urn:xmpp:mam:2'>"
                + "<set xmlns='http://jabber.org/protocol/rsm'><after>nope</after></set></query></iq>");
        expect("<iq[^>]*id='e1'[^>]*type='error'.*?<item-not-found");
        peer.send("<iq type='set' id='e2' from='" + dave + "' to='" + GW + "'><query xmlns='urn:xmpp:mam:2'>"
                + form("<field var='start'><value>yesterday</value></field>") + "</query></iq>");
        expect("<iq[^>]*id='e2'[^>]*type='error'.*?<bad-request");
        peer.send("<iq type='set' id='e3' from='mallory@xmpp.test/x' to='" + GW + "'><query xmlns='urn:xmpp:mam:2'/>"
                + "</iq>");
        expect("<iq[^>]*id='e3'[^>]*type='error'.*?<forbidden");
    }

    @Test
    void historyRequestLimitsAreHonoured() throws Exception {
        startBridge();
        join("carol@xmpp.test/pc", "carol", "");
        expect("<subject");
        for (int i = 1; i <= 4; i++) {
            peer.send("<message from='carol@xmpp.test/pc' to='" + GW + "' type='groupchat' id='m" + i + "'><body>msg "
                    + i + "</body></message>");
            expect("<message[^>]*id='m" + i + "'.*?</message>");
        }
        join("erin@xmpp.test/a", "erin", "<history maxchars='0'/>");
        assertFalse(expect("(.*?)<message[^>]*><subject").group(1).contains("<body>"), "maxchars=0: no history");
        join("frank@xmpp.test/a", "frank", "<history since='2999-01-01T00:00:00Z'/>");
        assertFalse(expect("(.*?)<message[^>]*><subject").group(1).contains("<body>"), "since the future: none");
        join("gina@xmpp.test/a", "gina", "");
        String all = expect("(.*?)<message[^>]*><subject").group(1);
        assertEquals(4, all.split("<body>", -1).length - 1, "no limits: everything within gateway-history");
        // maxchars counts whole stanzas: room for exactly one of them keeps only the newest.
        int oneStanza = all.substring(all.lastIndexOf("<message"), all.lastIndexOf("</message>") + 10).length();
        join("hugo@xmpp.test/a", "hugo", "<history maxchars='" + (oneStanza + 40) + "'/>");
        String one = expect("(.*?)<message[^>]*><subject").group(1);
        assertEquals(1, one.split("<body>", -1).length - 1, one);
        assertTrue(one.contains("<body>msg 4</body>"), one);
    }
}
