package org.bridgeappliance.it.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.bridgeappliance.it.harness.BaresipPhone;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.Sipp;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SIP phones through the RUNNING appliance of the sandbox: real Kamailio (registrar, proxy routing *.bridge.sip.test
 * to the appliance), real baresip phones, sipp for raw requests, real Synapse with a Matrix user through plain
 * Client-Server calls. 1:1 chats opened from either side, a room spanning Matrix and SIP, long bodies split,
 * 413/415, UTF-8 end to end, and the offline queue delivering once after the phone registers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SipBridgeIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final Sandbox sandbox = Sandbox.get();
    private final AdminApi adminApi = new AdminApi(sandbox);
    private MatrixSide carol;
    private String carolPuppet;
    private String roomSlug;
    private String roomUri;
    private BaresipPhone erin;
    private String mapping;
    private String lobbyRoomId;
    private String phoneMessageEventId;
    private XmppUsers xmpp;
    private XmppUsers.User alice;
    private String alicePuppet;
    private final BlockingQueue<Message> aliceGets = new LinkedBlockingQueue<>();

    @BeforeAll
    void setUp() {
        sandbox.requireAppliance();
        carol = new MatrixSide(sandbox, "carol", "Carol Matrix");
        carolPuppet = "sip:" + carol.localpart() + "*" + sandbox.get("MATRIX_SERVER_NAME") + "@matrix."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        roomSlug = Sandbox.uniqueName("lobby").replace('_', '-');
        roomUri = "sip:" + roomSlug + "@rooms." + sandbox.get("BRIDGE_SIP_DOMAIN");
        xmpp = new XmppUsers(sandbox);
        alice = xmpp.registerAndLogin("alice");
        alice.connection().addAsyncStanzaListener(st -> aliceGets.add((Message) st),
            st -> st instanceof Message m && m.getBody() != null);
        alicePuppet = "sip:" + alice.jid().getLocalpart() + "*" + alice.jid().getDomain() + "@xmpp."
            + sandbox.get("BRIDGE_SIP_DOMAIN");
        // BaresipPhone.sendMessage steps forward through the contacts and does not wrap (only the last one can be
        // chosen again and again): the first entry is a placeholder, then the 1:1 test's contact, then the room.
        erin = BaresipPhone.startRegistered(sandbox, Sandbox.uniqueName("erin"),
            List.of("sip:nobody@" + sandbox.get("SIP_DOMAIN"), carolPuppet, roomUri), T);
    }

    @AfterAll
    void tearDown() {
        if (erin != null) {
            erin.close();
        }
        if (mapping != null) {
            HttpResponse<String> deleted = admin("DELETE", "/api/v1/rooms/" + mapping, null);
            if (deleted.statusCode() / 100 != 2) {
                throw new AssertionError("the room mapping was not removed: " + deleted.statusCode() + " " + deleted.body());
            }
        }
        if (xmpp != null) {
            xmpp.close();
        }
    }

    private String ghostOf(String sipUser) {
        return MatrixSide.ghostOf(sipUser + "@" + sandbox.get("SIP_DOMAIN"), sandbox.get("MATRIX_SERVER_NAME"));
    }

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    /** baresip prints an incoming MESSAGE on its console as {@code <from URI>: "<text>"}. */
    private static String shown(String fromUri, String text) {
        return fromUri + ": \"" + text;
    }

    @Test
    @Order(1)
    void aPhoneWritesToAMatrixUsersPuppetFirstAndGetsTheAnswer() {
        String hi = uniq("héllo ✓ from the phone");
        erin.sendMessage(carolPuppet, hi);
        String ghost = ghostOf(erin.user());
        MatrixSide.Seen invite = carol.await("a DM invite from " + ghost, e -> e.invite()
            && "m.room.member".equals(e.type()) && ghost.equals(e.sender()), T);
        carol.join(invite.roomId());
        MatrixSide.Seen got = carol.await("the phone's message", e -> invite.roomId().equals(e.roomId())
            && "m.room.message".equals(e.type()) && hi.equals(e.body()), T);
        assertEquals(ghost, got.sender());

        String answer = uniq("answer ✓ from matrix");
        carol.send(invite.roomId(), answer);
        erin.awaitConsole(shown(carolPuppet, answer), T);
    }

    @Test
    @Order(2)
    void aMatrixUserOpensADmWithASipGhost() {
        try (BaresipPhone frank = BaresipPhone.startRegistered(sandbox, Sandbox.uniqueName("frank"), List.of(carolPuppet), T)) {
            String ghost = ghostOf(frank.user());
            String roomId = openDmWith(ghost);
            String hello = uniq("hello frank");
            carol.send(roomId, hello);
            frank.awaitConsole(shown(carolPuppet, hello), T);

            String reply = uniq("hi carol, frank here");
            frank.sendMessage(carolPuppet, reply);
            assertEquals(ghost, carol.await("frank's reply in the same DM", e -> roomId.equals(e.roomId())
                && reply.equals(e.body()), T).sender());
        }
    }

    @Test
    @Order(2)
    void aLongMatrixMessageArrivesAtThePhoneAsOrderedParts() {
        // sipp plays the phone here (baresip 1.0 does not show MESSAGEs of about 1 KB on its console)
        String henry = Sandbox.uniqueName("henry");
        String ghost = ghostOf(henry);
        String roomId = openDmWith(ghost);
        try (Sipp.Run phone = Sipp.scenario(sandbox, "uas_message.xml").calls(4).timeout(T).start()) {
            Sipp.scenario(sandbox, "uac_register.xml").viaProxy().key("user", henry)
                .key("domain", sandbox.get("SIP_DOMAIN")).key("contact_port", Integer.toString(phone.localPort()))
                .key("expires", "300").run().assertSuccess(T);
            String tag = Sandbox.uniqueName("long");
            String longText = tag + " " + "0123456789 ".repeat(270); // about 3,000 bytes
            carol.send(roomId, longText);
            phone.assertSuccess(T);
            String log = phone.logText();
            int p1 = log.indexOf("BODY (1/4) " + tag);
            int p2 = log.indexOf("BODY (2/4) ");
            int p3 = log.indexOf("BODY (3/4) ");
            int p4 = log.indexOf("BODY (4/4) ");
            assertTrue(p1 >= 0 && p1 < p2 && p2 < p3 && p3 < p4, log);
        }
    }

    @Test
    @Order(3)
    void aRoomSpansMatrixAndSip() {
        String roomId = carol.createRoom(Map.of("preset", "private_chat", "name", "SIP lobby",
            "invite", List.of(sandbox.get("MATRIX_BOT_USER"))));
        carol.await("the bridge bot joining", e -> roomId.equals(e.roomId()) && "m.room.member".equals(e.type())
            && sandbox.get("MATRIX_BOT_USER").equals(e.event().path("state_key").asText())
            && "join".equals(e.event().path("content").path("membership").asText()), T);
        String body = "{\"name\":\"SIP lobby\",\"enabled\":true,\"portals\":[{\"network\":\"matrix\",\"room\":\"" + roomId
            + "\"},{\"network\":\"sip\",\"room\":\"" + roomUri + "\"}]}";
        HttpResponse<String> r = admin("POST", "/api/v1/rooms", body);
        assertEquals(201, r.statusCode(), r.body());
        mapping = r.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"([^\"]+)\".*", "$1");

        erin.sendMessage(roomUri, "#join");
        erin.awaitConsole(shown(roomUri, "*** You joined SIP lobby"), T);

        String fromMatrix = uniq("hello room ✓");
        carol.send(roomId, fromMatrix);
        erin.awaitConsole(shown(roomUri, "[Carol Matrix] " + fromMatrix), T);

        String fromPhone = uniq("hello from the phone in the room");
        erin.sendMessage(roomUri, fromPhone);
        MatrixSide.Seen seen = carol.await("the phone's room message", e -> roomId.equals(e.roomId())
            && fromPhone.equals(e.body()), T);
        assertEquals(ghostOf(erin.user()), seen.sender());
        lobbyRoomId = roomId;
        phoneMessageEventId = seen.event().path("event_id").asText();

        // "#1 priority" is text, not a command
        String hashText = "#1 priority " + Sandbox.uniqueName("m");
        erin.sendMessage(roomUri, hashText);
        carol.await("a line starting with # that is no command", e -> roomId.equals(e.roomId())
            && hashText.equals(e.body()), T);

        // The room list's health: the bridge serves the SIP room itself, so it is in it while the adapter is connected.
        assertTrue(adminApi.bridgeJoined(mapping, "sip").asBoolean(false), "SIP portal joined (not unknown)");
        assertTrue(adminApi.bridgeJoined(mapping, "matrix").asBoolean(false), "the bot joined the Matrix room");
    }

    @Test
    @Order(4)
    void oversizedAndUnsupportedBodiesAreRefusedWithTheRightStatus() {
        assertNotNull(mapping, "the room of the previous test was not mapped");
        String domain = "rooms." + sandbox.get("BRIDGE_SIP_DOMAIN");
        Sipp.Run big = Sipp.scenario(sandbox, "uac_message_status.xml").viaProxy().tcp().key("from", "frank")
            .key("from_domain", sandbox.get("SIP_DOMAIN")).key("to", roomSlug).key("domain", domain)
            .key("content_type", "text/plain;charset=UTF-8").key("body", "x".repeat(20_000)).run(); // sipp 3.6.1 crashes on a 70 KB -key value
        assertTrue(big.logText().contains("FINAL 413"), big.logText());
        Sipp.Run html = Sipp.scenario(sandbox, "uac_message_status.xml").viaProxy().key("from", "frank")
            .key("from_domain", sandbox.get("SIP_DOMAIN")).key("to", roomSlug).key("domain", domain)
            .key("content_type", "text/html").key("body", "<b>bold</b>").run();
        assertTrue(html.logText().contains("FINAL 415"), html.logText());
        Sipp.Run unknown = Sipp.scenario(sandbox, "uac_message_status.xml").viaProxy().key("from", "frank")
            .key("from_domain", sandbox.get("SIP_DOMAIN")).key("to", "no-such-room").key("domain", domain)
            .key("content_type", "text/plain").key("body", "anyone?").run();
        assertTrue(unknown.logText().contains("FINAL 404"), unknown.logText());
    }

    @Test
    @Order(5)
    void aMessageForAnUnregisteredPhoneIsDeliveredOnceAfterItRegisters() {
        String grace = Sandbox.uniqueName("grace");
        String ghost = ghostOf(grace);
        String roomId = openDmWith(ghost);
        String waiting = uniq("while you were away ✓");
        carol.send(roomId, waiting);
        // The bridge tried the phone before it registered: Kamailio logged the MESSAGE (and answered 404).
        awaitKamailioLog("REQ MESSAGE sip:" + grace + "@" + sandbox.get("SIP_DOMAIN"));
        // sipp plays the phone: it listens before it registers (baresip's console would miss a MESSAGE that arrives
        // while it is still connecting), and takes exactly two MESSAGEs: the queued one, then a live one.
        try (Sipp.Run phone = Sipp.scenario(sandbox, "uas_message.xml").calls(2).timeout(T).start()) {
            Sipp.scenario(sandbox, "uac_register.xml").viaProxy().key("user", grace)
                .key("domain", sandbox.get("SIP_DOMAIN")).key("contact_port", Integer.toString(phone.localPort()))
                .key("expires", "300").run().assertSuccess(T);
            // no wait here: a live message for a phone with a queue is queued behind it, so the order holds
            String after = uniq("and now live");
            carol.send(roomId, after);
            phone.assertSuccess(T);
            String log = phone.logText();
            assertEquals(1, count(log, "BODY " + waiting), log);
            assertEquals(1, count(log, "BODY " + after), log);
            assertTrue(log.indexOf("BODY " + waiting) < log.indexOf("BODY " + after), log);
        }
    }

    @Test
    @Order(6)
    void aPhoneAndAnXmppUserChatOneToOne() throws Exception {
        try (BaresipPhone ivy = BaresipPhone.startRegistered(sandbox, Sandbox.uniqueName("ivy"), List.of(alicePuppet), T)) {
            String hi = uniq("héllo ✓ alice, from the phone");
            ivy.sendMessage(alicePuppet, hi);
            Message got = awaitXmpp(m -> hi.equals(m.getBody()));
            assertTrue(got.getFrom().toString().contains(ivy.user()), got.getFrom().toString());

            String answer = uniq("hi ivy ✓, alice here");
            alice.connection().sendStanza(alice.connection().getStanzaFactory().buildMessageStanza()
                .to(got.getFrom().asBareJid()).ofType(Message.Type.chat).setBody(answer).build());
            ivy.awaitConsole(shown(alicePuppet, answer), T);
        }
    }

    /**
     * A desk phone dials a Matrix person's numeric alias (set through the admin API, audited): Kamailio rewrites
     * 7000-7999 to the bridge, and the message reaches her as a DM from the phone's ghost, like writing to her
     * puppet URI; her answer comes back From that puppet URI.
     */
    @Test
    @Order(7)
    void aPhoneWritesToAMatrixPersonsNumericAlias() {
        MatrixSide dora = new MatrixSide(sandbox, "dora", "Dora Matrix");
        String path = "/api/v1/networks/sip/person-aliases";
        String who = "?personNetwork=matrix&person=" + java.net.URLEncoder.encode(dora.userId(), StandardCharsets.UTF_8);
        String alias = null;
        for (int attempt = 0; attempt < 10 && alias == null; attempt++) {
            String candidate = "7" + String.format("%03d", (int) ((System.nanoTime() / 1000 + attempt) % 1000));
            HttpResponse<String> set = admin("PUT", path, "{\"personNetwork\":\"matrix\",\"person\":\""
                + dora.userId() + "\",\"alias\":\"" + candidate + "\"}");
            assertTrue(set.statusCode() == 200 || set.statusCode() == 409, set.body());
            alias = set.statusCode() == 200 ? candidate : null; // 409: an earlier run's person has it
        }
        assertNotNull(alias, "no free 7xxx alias");
        int removed;
        try {
            HttpResponse<String> got = admin("GET", path + who, null);
            assertTrue(got.body().contains("\"alias\":\"" + alias + "\""), got.body());
            String number = "sip:" + alias + "@" + sandbox.get("SIP_DOMAIN");
            try (BaresipPhone kim = BaresipPhone.startRegistered(sandbox, Sandbox.uniqueName("kim"), List.of(number), T)) {
                String hi = uniq("héllo ✓ dora, dialled by number");
                kim.sendMessage(number, hi);
                String ghost = ghostOf(kim.user());
                MatrixSide.Seen invite = dora.await("a DM invite from " + ghost, e -> e.invite()
                    && "m.room.member".equals(e.type()) && ghost.equals(e.sender()), T);
                dora.join(invite.roomId());
                MatrixSide.Seen msg = dora.await("the phone's message", e -> invite.roomId().equals(e.roomId())
                    && "m.room.message".equals(e.type()) && hi.equals(e.body()), T);
                assertEquals(ghost, msg.sender());

                String answer = uniq("answer ✓ from dora");
                dora.send(invite.roomId(), answer);
                kim.awaitConsole(shown(dora.sipPuppet(sandbox), answer), T);
            }
        } finally {
            // "" sends a Content-Type, which a mutating call needs (the admin API's cross-site request rule)
            removed = admin("DELETE", path + who, "").statusCode();
        }
        assertEquals(204, removed);
        assertEquals(404, admin("DELETE", path + who, "").statusCode(), "already removed");
        assertTrue(admin("GET", "/api/v1/audit?action=person.alias.set", null).body().contains(dora.userId()));
    }

    /**
     * The per-room reactions switch (admin API, audited): a Matrix reaction reaches the room's phones as a notice by
     * default; switched off, the next reaction does not, and a message after it still does (same room pipeline, in
     * order, so the phone's console before that message shows whether the reaction came).
     */
    @Test
    @Order(8)
    void aRoomsReactionsReachPhonesUntilAnAdminSwitchesThemOff() {
        assertNotNull(lobbyRoomId, "needs the room of aRoomSpansMatrixAndSip");
        String path = "/api/v1/networks/sip/reactions";
        String room = "?room=" + java.net.URLEncoder.encode(roomUri, StandardCharsets.UTF_8);
        assertTrue(admin("GET", path + room, null).body().contains("\"shown\":true"), "default");
        react("👍");
        erin.awaitConsole("reacted 👍", T);

        HttpResponse<String> off = admin("PUT", path, "{\"room\":\"" + roomUri + "\",\"shown\":false}");
        assertEquals(200, off.statusCode(), off.body());
        try {
            assertTrue(admin("GET", path + room, null).body().contains("\"shown\":false"));
            react("🎉");
            String after = uniq("after the reaction");
            carol.send(lobbyRoomId, after);
            String console = erin.awaitConsole(shown(roomUri, "[Carol Matrix] " + after), T);
            assertEquals(-1, console.indexOf("🎉"), console);
        } finally {
            admin("PUT", path, "{\"room\":\"" + roomUri + "\",\"shown\":true}");
        }
        assertTrue(admin("GET", "/api/v1/audit?action=portal.reactions.set", null).body().contains(roomSlug));
    }

    private void react(String key) {
        com.fasterxml.jackson.databind.node.ObjectNode content = new com.fasterxml.jackson.databind.ObjectMapper()
            .createObjectNode();
        content.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", phoneMessageEventId)
            .put("key", key);
        assertTrue(carol.client.call("PUT", "/_matrix/client/v3/rooms/" + java.net.URLEncoder.encode(lobbyRoomId,
            StandardCharsets.UTF_8) + "/send/m.reaction/r" + System.nanoTime(), carol.session.accessToken(), content)
            .ok(), "reaction sent");
    }

    private Message awaitXmpp(java.util.function.Predicate<Message> match) throws InterruptedException {
        java.time.Instant deadline = java.time.Instant.now().plus(T);
        while (true) {
            long left = Duration.between(java.time.Instant.now(), deadline).toMillis();
            Message m = left <= 0 ? null : aliceGets.poll(left, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("alice got no matching message within " + T);
            }
            if (match.test(m)) {
                return m;
            }
        }
    }

    private void awaitKamailioLog(String text) {
        java.nio.file.Path log = sandbox.runDir().resolve("logs/kamailio.log");
        java.time.Instant deadline = java.time.Instant.now().plus(T);
        while (true) {
            try {
                if (java.nio.file.Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) {
                    return;
                }
            } catch (java.io.IOException e) {
                throw new AssertionError("cannot read " + log, e);
            }
            if (java.time.Instant.now().isAfter(deadline)) {
                throw new AssertionError("Kamailio did not log '" + text + "' within " + T);
            }
            try {
                Thread.sleep(100); // polling interval of a condition with a deadline, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Carol opens a DM with a SIP person's ghost and waits until the bridge made the ghost join. */
    private String openDmWith(String ghost) {
        String roomId = carol.createRoom(Map.of("preset", "trusted_private_chat", "is_direct", true,
            "invite", List.of(ghost)));
        carol.await("the ghost joining", e -> roomId.equals(e.roomId()) && "m.room.member".equals(e.type())
            && ghost.equals(e.event().path("state_key").asText())
            && "join".equals(e.event().path("content").path("membership").asText()), T);
        return roomId;
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private HttpResponse<String> admin(String method, String path, String json) {
        return adminApi.call(method, path, json);
    }
}
