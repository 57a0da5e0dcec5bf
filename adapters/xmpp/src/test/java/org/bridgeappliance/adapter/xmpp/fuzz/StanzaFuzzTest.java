package org.bridgeappliance.adapter.xmpp.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bridgeappliance.adapter.xmpp.XmppAdapter;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.component.ComponentStreamReader;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.adapter.xmpp.component.StreamException;
import org.bridgeappliance.adapter.xmpp.testing.FakeComponentServer;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed and hostile stanzas: through the parser alone (mutations of valid stanzas)
 * and through a live component stream into the adapter. Nothing may escape as an unexpected
 * exception, the adapter must stay up (reconnecting after stream-fatal input), every well-formed
 * but bad stanza gets an error back, and no threads leak.
 */
class StanzaFuzzTest {
    static final String HEADER = "<stream:stream xmlns='jabber:component:accept' "
            + "xmlns:stream='http://etherx.jabber.org/streams' id='f'>";
    static final String[] SEEDS = {
        "<message from='alice@xmpp.test/r' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='a1'><body>hi &amp; bye</body>"
            + "<request xmlns='urn:xmpp:receipts'/><origin-id xmlns='urn:xmpp:sid:0' id='o'/></message>",
        "<message from='alice@xmpp.test/r' to='b%m@matrix.xmpp.test' type='chat' id='r1'><reactions id='x' "
            + "xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions></message>",
        "<message from='a@xmpp.test/r' to='b%m@matrix.xmpp.test' id='y'><body>&gt; q\nx</body><reply to='b' id='z' "
            + "xmlns='urn:xmpp:reply:0'/><fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='0' end='4'/></fallback></message>",
        "<presence from='room@conference.xmpp.test/n' to='x@matrix.xmpp.test/bridge'><x xmlns='http://jabber.org/protocol/muc#user'>"
            + "<item affiliation='member' role='participant' jid='n@xmpp.test/r'/><status code='110'/></x></presence>",
        "<iq type='get' id='i' from='a@xmpp.test/r' to='matrix.xmpp.test'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
        "<message from='a@xmpp.test/r' to='b%m@matrix.xmpp.test' id='d'><delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>"
            + "<body>x</body><x xmlns='jabber:x:oob'><url>https://h/x.png</url></x></message>",
    };

    @Test
    void mutatedStanzasNeverEscapeTheParser() {
        Random random = new Random(7);
        int parsed = 0;
        int unparseable = 0;
        int fatal = 0;
        for (int i = 0; i < 5000; i++) {
            String stanza = mutate(SEEDS[random.nextInt(SEEDS.length)], random);
            String stream = HEADER + stanza + "<message from='a@xmpp.test' to='b@matrix.xmpp.test'><body>next</body></message>";
            try {
                ComponentStreamReader reader = new ComponentStreamReader(
                        new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), 16 * 1024);
                reader.readHeader();
                for (int n = 0; n < 4; n++) {
                    StreamElement e = reader.next();
                    if (e instanceof StreamElement.StanzaReceived) {
                        parsed++;
                    } else if (e instanceof StreamElement.Unparseable) {
                        unparseable++;
                    } else if (e instanceof StreamElement.StreamClosed) {
                        break;
                    }
                }
            } catch (StreamException e) {
                fatal++;
                assertNotNull(e.condition());
            } catch (RuntimeException e) {
                throw new AssertionError("escaped the parser on input: " + stanza, e);
            }
        }
        assertTrue(parsed > 1000 && unparseable > 50 && fatal > 100,
                "parsed=" + parsed + " unparseable=" + unparseable + " fatal=" + fatal);
    }

    static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int pos = random.nextInt(s.length());
            switch (random.nextInt(10)) {
                case 0 -> s.deleteCharAt(pos);
            case 1 -> s.insert(pos, "<>&'\"@/%\\ ".charAt(random.nextInt(10)));
                case 2 -> s.insert(pos, "\u0000\uFFFE\uD800😀é".charAt(random.nextInt(6)));
                case 3 -> s.replace(pos, Math.min(s.length(), pos + 5), "");
                case 4 -> s.insert(pos, "&xxe;");
                case 5 -> s.insert(pos, "<x xmlns='urn:wrong'>" + "y".repeat(random.nextInt(100)) + "</x>");
                case 6 -> replaceAttr(s, "from='", random.nextBoolean() ? "x y@z" : "@@");
                case 7 -> replaceAttr(s, "to='", random.nextBoolean() ? "" : "a@" + "b".repeat(1100));
                case 8 -> replaceAttr(s, "id='", "\u202e" + random.nextInt());
                default -> replaceAttr(s, "xmlns='", "jabber:client");
            }
        }
        return s.toString();
    }

    private static void replaceAttr(StringBuilder s, String attr, String value) {
        int i = s.indexOf(attr);
        if (i < 0) {
            return;
        }
        int end = s.indexOf("'", i + attr.length());
        if (end > 0) {
            s.replace(i + attr.length(), end, value);
        }
    }

    @Test
    void hostileStanzasOverALiveStreamGetErrorsAndTheAdapterSurvives() throws Exception {
        int threadsBefore = xmppThreads();
        try (FakeComponentServer server = new FakeComponentServer("s")) {
            AtomicInteger submitted = new AtomicInteger();
            XmppAdapter adapter = startRefusingAdapter(server, e -> submitted.incrementAndGet());
            try {
                FakeComponentServer.Peer peer = server.awaitPeer(Duration.ofSeconds(5));
                Random random = new Random(11);
                // 1) Well-formed but hostile: every one gets an answer, the stream stays up.
                List<String> ids = new ArrayList<>();
                java.util.Map<String, String> sent = new java.util.HashMap<>();
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 3000; i++) {
                    String id = "h" + i;
                    ids.add(id);
                    String h = hostile(id, random);
                    sent.put(id, h);
                    batch.append(h);
                    if (batch.length() > 16_000) {
                        peer.send(batch.toString());
                        batch.setLength(0);
                    }
                }
                peer.send(batch.toString());
                peer.send("<iq type='get' id='end' from='a@xmpp.test/r' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
                peer.readUntil(Pattern.compile("id='end'"), Duration.ofSeconds(30));
                String all = peer.received();
                int answered = 0;
                List<String> silent = new ArrayList<>();
                for (String id : ids) {
                    if (all.contains("id='" + id + "'")) {
                        answered++;
                    } else if (silent.size() < 3) {
                        silent.add(sent.get(id));
                    }
                }
                assertEquals(3000, answered, "unanswered, e.g. " + silent);
                assertEquals(AdapterState.Status.CONNECTED, adapter.state().status());

                // 2) Stream-fatal input: each ends the stream with a stream error; the adapter reconnects.
                String[] fatal = {"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "<message><body>&a;</body></message>",
                    "<message><body>" + "x".repeat(200_000) + "</body></message>", "<message></iq>", "\u0000",
                    "<?php evil ?>"};
                for (String f : fatal) {
                    // The JDK parser compares end tags with lookahead: it needs a few more bytes to notice a
                    // mismatch (a live server always sends more: whitespace keepalives, pings).
                    peer.send(f + " ".repeat(64));
                    Matcher m;
                    try {
                        m = peer.readUntil(Pattern.compile("<stream:error><([a-z-]+) "), Duration.ofSeconds(5));
                    } catch (AssertionError e) {
                        throw new AssertionError("no stream error after " + f.substring(0, Math.min(40, f.length())), e);
                    }
                    assertTrue(List.of("not-well-formed", "restricted-xml", "policy-violation").contains(m.group(1)),
                            m.group(1));
                    peer = server.awaitPeer(Duration.ofSeconds(5));
                    assertTrue(peer.authenticated());
                }
            } finally {
                adapter.stop();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (xmppThreads() > threadsBefore && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
        assertTrue(xmppThreads() <= threadsBefore + 1, "threads leaked: " + threadNames());
    }

    /**
     * An adapter on {@code server} (32 KiB stanza limit) whose core refuses everything (NOT_BRIDGED), so every stanza
     * that reaches the core must come back as an error; {@code seen} sees each submitted event.
     */
    private static XmppAdapter startRefusingAdapter(FakeComponentServer server,
                                                    java.util.function.Consumer<org.bridgeappliance.core.model.BridgeEvent> seen) {
        BridgeStores stores = InMemoryStores.create();
        var settings = new XmppSettings(true, "127.0.0.1", server.port(), "s", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 32 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(10),
                Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(5), "Matrix bridge", true, 10);
        XmppAdapter adapter = new XmppAdapter(settings, () -> 0.5);
        PortalCoordinator coordinator = new PortalCoordinator() {
            @Override
            public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
                return Optional.of(stores.rooms().create("dm", List.of(origin), true));
            }

            @Override
            public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
                return Optional.empty();
            }
        };
        adapter.start(new AdapterContext(e -> {
            seen.accept(e);
            return EventIngress.Acceptance.NOT_BRIDGED;
        }, (n, s) -> { }, stores, Clock.systemUTC(), coordinator));
        return adapter;
    }

    /**
     * Issue 9's families over a live stream: deep nesting (item 1; up to 4,000 levels), quote bombs (item 2;
     * {@code >} runs, nested quotes, long lines) and moderation spoofs from 1:1 partners (item 3; both XEP-0425
     * forms, odd or missing {@code by}). Every one is answered (the stream and the inbound thread survive, no
     * reconnect), no spoof becomes a moderation, and the adapter stays CONNECTED.
     */
    @Test
    void deepNestingQuoteBombAndModerationSpoofFamilies() throws Exception {
        try (FakeComponentServer server = new FakeComponentServer("s")) {
            List<org.bridgeappliance.core.model.BridgeEvent> events =
                    java.util.Collections.synchronizedList(new ArrayList<>());
            XmppAdapter adapter = startRefusingAdapter(server, events::add);
            try {
                FakeComponentServer.Peer peer = server.awaitPeer(Duration.ofSeconds(5));
                Random random = new Random(9);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    String id = "f" + i;
                    ids.add(id);
                    String stanza = switch (i % 3) {
                        case 0 -> deepNesting(id, random);
                        case 1 -> quoteBomb(id, random);
                        default -> moderationSpoof(id, random);
                    };
                    peer.send(stanza);
                }
                peer.send("<iq type='get' id='end' from='a@xmpp.test/r' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>");
                peer.readUntil(Pattern.compile("id='end'"), Duration.ofSeconds(60));
                String all = peer.received();
                List<String> silent = ids.stream().filter(id -> !all.contains("id='" + id + "'")).limit(3).toList();
                assertTrue(silent.isEmpty(), "unanswered: " + silent);
                assertFalse(all.contains("<stream:error"), "the stream was ended");
                assertEquals(AdapterState.Status.CONNECTED, adapter.state().status());
                synchronized (events) {
                    assertTrue(events.stream().noneMatch(e -> e instanceof org.bridgeappliance.core.model.RetractionEvent r
                            && r.moderation()), "a spoofed moderation got through");
                    assertTrue(events.stream().anyMatch(e -> e instanceof org.bridgeappliance.core.model.RetractionEvent),
                            "spoofs are still read as (author-scoped) retractions");
                }
            } finally {
                adapter.stop();
            }
        }
    }

    private static final String FUZZ_TO = "bob%matrix.test@matrix.xmpp.test";

    /** Random element names nested 33 to 4,000 deep (at most 28 KB), in a payload or in XHTML-IM. */
    static String deepNesting(String id, Random random) {
        int depth = 33 + random.nextInt(random.nextBoolean() ? 100 : 4000);
        String name = new String[] {"a", "b:x", "div", "reason", "body"}[random.nextInt(5)];
        String open = name.contains(":") ? "<" + name + " xmlns:b='urn:b'>" : "<" + name + ">";
        // Within the test's 32 KiB stanza limit, so the stanza reaches the parser whole.
        depth = Math.min(depth, 28_000 / (open.length() + name.length() + 3));
        String nest = open.repeat(depth) + ("</" + name + ">").repeat(depth);
        String where = random.nextBoolean() ? "<x xmlns='urn:example:n'>" + nest + "</x>"
                : "<html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'>"
                + nest + "</body></html>";
        return "<message from='mallory@xmpp.test/r' to='" + FUZZ_TO + "' type='chat' id='" + id + "'><body>x</body>"
                + where + "</message>";
    }

    /** XEP-0393 quote bombs: runs of {@code >} (with spaces, newlines, spans), up to about 30 KB. */
    static String quoteBomb(String id, Random random) {
        StringBuilder body = new StringBuilder();
        int target = 1000 + random.nextInt(26_000);
        while (body.length() < target) {
            switch (random.nextInt(5)) {
                case 0 -> body.append("&gt;".repeat(1 + random.nextInt(500)));
                case 1 -> body.append("&gt; ");
                case 2 -> body.append('\n');
                case 3 -> body.append("*_~`".charAt(random.nextInt(4)));
                default -> body.append("x ");
            }
        }
        return "<message from='mallory@xmpp.test/r' to='" + FUZZ_TO + "' type='chat' id='" + id + "'><body>" + body
                + "</body></message>";
    }

    /** A 1:1 partner claims a XEP-0425 moderation of someone else's message (v0.3 or the fastened v0.2 form). */
    static String moderationSpoof(String id, Random random) {
        String by = new String[] {"room@conference.xmpp.test/boss", "", "matrix.xmpp.test", "x y"}[random.nextInt(4)];
        String inner = random.nextBoolean()
                ? "<retract id='victim-" + random.nextInt(100) + "' xmlns='urn:xmpp:message-retract:1'><moderated by='" + by
                + "' xmlns='urn:xmpp:message-moderate:1'/><reason>spam</reason></retract>"
                : "<apply-to id='victim-" + random.nextInt(100) + "' xmlns='urn:xmpp:fasten:0'><moderated by='" + by
                + "' xmlns='urn:xmpp:message-moderate:0'><retract xmlns='urn:xmpp:message-retract:0'/></moderated></apply-to>";
        return "<message from='mallory@xmpp.test/r' to='" + FUZZ_TO + "' type='chat' id='" + id + "'>" + inner + "</message>";
    }

    private static String hostile(String id, Random random) {
        String to = "bob%matrix.test@matrix.xmpp.test";
        return switch (random.nextInt(8)) {
            // A provider failure (reactions without id) inside a well-formed stanza: bad-request.
            case 0 -> "<message from='alice@xmpp.test/r' to='" + to + "' id='" + id + "'><body>x</body>"
                    + "<reactions xmlns='urn:xmpp:reactions:0'/></message>";
            case 1 -> "<message from='alice@xmpp.test/r' to='nobody@matrix.xmpp.test' id='" + id + "'><body>?</body></message>";
            case 2 -> "<iq type='set' id='" + id + "' from='alice@xmpp.test/r' to='matrix.xmpp.test'><q xmlns='urn:nope'/></iq>";
            case 3 -> "<message from='alice@xmpp.test/r' to='" + to + "' id='" + id + "'><reactions xmlns='urn:xmpp:reactions:0' id='m'>"
                    + "<reaction>x</reaction>".repeat(80) + "</reactions></message>";
            case 4 -> "<iq type='get' id='" + id + "' from='alice@xmpp.test/r' to='" + to + "'><vCard xmlns='vcard-temp'/></iq>";
            case 5 -> "<message from='alice@xmpp.test/r' to='" + to + "' id='" + id + "' type='chat'><body>"
                    + "z".repeat(5000) + "</body><replace xmlns='urn:xmpp:message-correct:0' id='unknown'/></message>";
            case 6 -> "<iq type='get' id='" + id + "' from='alice@xmpp.test/r' to='#r%matrix.test@matrix.xmpp.test/n'>"
                    + "<ping xmlns='urn:xmpp:ping'/></iq>";
            default -> "<message from='alice@xmpp.test/r' to='" + to + "' id='" + id + "'><x xmlns='jabber:x:oob'>"
                    + "<url></url></x><body>no url</body></message>";
        };
    }

    private static int xmppThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("xmpp-")).count();
    }

    private static String threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("xmpp-")).toList()
                .toString();
    }
}
