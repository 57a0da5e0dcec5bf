package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import org.bridgeappliance.it.bridge.BridgeFixture.MappedRoom;
import org.bridgeappliance.it.bridge.Stanzas.El;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A Matrix room mapped to an XMPP MUC through the admin API, through the running appliance with real Prosody and
 * Synapse: messages both ways with puppets on each side, then every feature the adapters map (edits, replies,
 * retractions, reactions, typing, read markers, images, presence), each as its own test in the same mapped room
 * (setting a room up costs up to 10 s: the XMPP adapter joins mapped MUCs on its periodic room sync). Every test
 * uses its own message texts, so tests do not depend on each other's order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MucMappingIT {
    private static final String ALICE_NICK = "alice-nick";

    private BridgeFixture f;
    private String carolName;
    private Session carol;
    private MatrixWatch carolSees;
    private XmppUsers.User alice;
    private XmppInbox aliceGets;
    private MappedRoom room;
    private String ghost;
    private String roomJid;

    @BeforeAll
    void setUp() throws Exception {
        f = new BridgeFixture();
        carolName = "Carol " + Sandbox.uniqueName("c");
        carol = f.newMatrixUser("carol", carolName);
        carolSees = new MatrixWatch(f.matrix, carol);
        alice = f.xmpp.registerAndLogin("alice");
        aliceGets = new XmppInbox(alice.connection());
        room = f.mappedRoom(carol, carolSees, alice, ALICE_NICK);
        ghost = f.ghostOf(alice.jid());
        roomJid = room.muc().getRoom().toString();
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Alice says {@code body} in the MUC; returns her message as the room reflected it (with the room's stanza-id). */
    private Message aliceSays(Message message) throws Exception {
        alice.connection().sendStanza(message);
        String id = message.getStanzaId();
        return aliceGets.awaitMessage("the reflection of " + id, m -> m.getType() == Message.Type.groupchat
            && id.equals(m.getStanzaId()) && ALICE_NICK.equals(m.getFrom().getResourceOrEmpty().toString()), WAIT);
    }

    private Message aliceSays(String body) throws Exception {
        return aliceSays(BridgeFixture.groupchat(room.muc(), body));
    }

    private MatrixWatch.Seen ghostMessage(String what, java.util.function.Predicate<JsonNode> content) {
        return carolSees.await(what, e -> e.roomId().equals(room.matrixRoomId()) && ghost.equals(e.sender())
            && "m.room.message".equals(e.type()) && content.test(e.content()), WAIT);
    }

    private MatrixWatch.Seen ghostSaid(String body) {
        return ghostMessage("'" + body + "' from alice's ghost", c -> body.equals(c.path("body").asText()));
    }

    private boolean fromCarol(Message m) {
        return m.getType() == Message.Type.groupchat && m.getFrom() != null
            && roomJid.equals(m.getFrom().asBareJid().toString())
            && carolName.equals(m.getFrom().getResourceOrEmpty().toString());
    }

    private Message carolSaidOnXmpp(String body) {
        return aliceGets.awaitMessage("'" + body + "' from carol's puppet", m -> fromCarol(m) && body.equals(m.getBody()),
            WAIT);
    }

    private String carolSays(String body) {
        return f.send(carol, room.matrixRoomId(), "m.room.message", BridgeFixture.text(body));
    }

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void messagesFlowBothWaysWithPuppetsOnEachSide() throws Exception {
        // XMPP -> Matrix: sent by alice's ghost, which shows her nick as display name.
        String hello = uniq("hello from xmpp ✓");
        aliceSays(hello);
        assertEquals(ghost, ghostSaid(hello).sender());
        JsonNode member = BridgeFixture.expectOk("ghost member state", f.call("GET", "/_matrix/client/v3/rooms/"
            + BridgeFixture.enc(room.matrixRoomId()) + "/state/m.room.member/" + BridgeFixture.enc(ghost), carol, null));
        assertEquals(ALICE_NICK, member.path("displayname").asText(), member.toString());

        // Matrix -> XMPP: from an occupant whose nick is carol's display name, sent by her puppet JID.
        String back = uniq("hello from matrix ✓");
        carolSays(back);
        Message m = carolSaidOnXmpp(back);
        assertEquals(room.muc().getRoom(), m.getFrom().asBareJid());
        assertEquals(carolName, m.getFrom().getResourceOrEmpty().toString());
        // The room is non-anonymous: the occupant's real JID is carol's puppet on the bridge's component.
        EntityFullJid occupant = JidCreate.entityFullFrom(roomJid + "/" + carolName);
        assertEquals(f.puppetOf(carol.userId()), room.muc().getOccupant(occupant).getJid().asBareJid());
    }

    @Test
    void xmppCorrectionBecomesMatrixEdit() throws Exception {
        String original = uniq("tpyo");
        Message sent = aliceSays(original);
        String eventId = ghostSaid(original).event().path("event_id").asText();

        String fixed = uniq("typo fixed");
        Message correction = room.muc().buildMessage().setBody(fixed).build();
        correction.addExtension(new MessageCorrectExtension(sent.getStanzaId()));
        alice.connection().sendStanza(correction);

        JsonNode edit = ghostMessage("the edit", c -> "m.replace".equals(c.path("m.relates_to").path("rel_type").asText())
            && eventId.equals(c.path("m.relates_to").path("event_id").asText())).content();
        assertEquals(fixed, edit.path("m.new_content").path("body").asText(), edit.toString());
    }

    @Test
    void matrixEditBecomesXmppCorrection() throws Exception {
        String original = uniq("helo");
        String eventId = carolSays(original);
        Message first = carolSaidOnXmpp(original);

        String fixed = uniq("hello");
        ObjectNode edit = BridgeFixture.text("* " + fixed);
        edit.set("m.new_content", BridgeFixture.text(fixed));
        edit.putObject("m.relates_to").put("rel_type", "m.replace").put("event_id", eventId);
        f.send(carol, room.matrixRoomId(), "m.room.message", edit);

        Message correction = carolSaidOnXmpp(fixed);
        El replace = Stanzas.element(correction, "replace", Stanzas.CORRECT_NS)
            .orElseThrow(() -> new AssertionError("no XEP-0308 <replace/> in " + correction.toXML()));
        // XEP-0308: the id of the corrected stanza as sent (not the room's stanza-id).
        assertEquals(first.getStanzaId(), replace.attr("id"), correction.toXML().toString());
    }

    @Test
    void xmppReplyBecomesMatrixReplyWithoutItsFallbackQuote() throws Exception {
        String question = uniq("question?");
        String questionEvent = carolSays(question);
        String stanzaId = Stanzas.stanzaId(carolSaidOnXmpp(question), roomJid);

        String quote = "> Carol wrote: " + question + "\n";
        String answer = uniq("answer!");
        Message reply = room.muc().buildMessage().setBody(quote + answer)
            .addExtension(Stanzas.ext("reply", Stanzas.REPLY_NS).addAttribute("to", roomJid + "/" + carolName)
                .addAttribute("id", stanzaId).build())
            .addExtension(Stanzas.ext("fallback", Stanzas.FALLBACK_NS).addAttribute("for", Stanzas.REPLY_NS)
                .addElement(Stanzas.ext("body", Stanzas.FALLBACK_NS).addAttribute("start", "0")
                    .addAttribute("end", Integer.toString(quote.codePointCount(0, quote.length()))).build()).build())
            .build();
        alice.connection().sendStanza(reply);

        JsonNode content = ghostMessage("alice's reply", c -> c.path("body").asText().endsWith(answer)).content();
        assertEquals(questionEvent, content.path("m.relates_to").path("m.in_reply_to").path("event_id").asText(),
            content.toString());
        assertFalse(content.path("body").asText().contains("Carol wrote:"), "XMPP fallback leaked: " + content);
        assertEquals(answer, stripMatrixReplyFallback(content.path("body").asText()), content.toString());
    }

    @Test
    void matrixReplyBecomesXmppReplyWithoutTheMatrixFallback() throws Exception {
        String original = uniq("xmpp says");
        Message sent = aliceSays(original);
        String stanzaId = Stanzas.stanzaId(sent, roomJid);
        String eventId = ghostSaid(original).event().path("event_id").asText();

        String answer = uniq("matrix answers");
        // As older Matrix clients send it: with the rich-reply fallback quote in body and formatted_body.
        ObjectNode content = BridgeFixture.text("> <" + ghost + "> " + original + "\n\n" + answer);
        content.put("format", "org.matrix.custom.html").put("formatted_body", "<mx-reply><blockquote>In reply to "
            + original + "</blockquote></mx-reply>" + answer);
        content.putObject("m.relates_to").putObject("m.in_reply_to").put("event_id", eventId);
        f.send(carol, room.matrixRoomId(), "m.room.message", content);

        Message reply = aliceGets.awaitMessage("carol's reply", m -> fromCarol(m) && m.getBody() != null
            && m.getBody().endsWith(answer), WAIT);
        El el = Stanzas.element(reply, "reply", Stanzas.REPLY_NS)
            .orElseThrow(() -> new AssertionError("no XEP-0461 <reply/> in " + reply.toXML()));
        assertEquals(stanzaId, el.attr("id"), reply.toXML().toString());
        assertFalse(reply.getBody().contains("<" + ghost + ">"), "Matrix fallback leaked: " + reply.toXML());
        assertEquals(answer, Stanzas.bodyWithoutFallback(reply, Stanzas.REPLY_NS), reply.toXML().toString());
    }

    @Test
    void matrixRedactionBecomesXmppRetraction() throws Exception {
        String doomed = uniq("oops, wrong room");
        String eventId = carolSays(doomed);
        Message m = carolSaidOnXmpp(doomed);
        String stanzaId = Stanzas.stanzaId(m, roomJid);
        f.redact(carol, room.matrixRoomId(), eventId);
        // XEP-0424 in a MUC: the retraction names the room's stanza-id of the message.
        Message retraction = aliceGets.awaitMessage("carol's retraction", x -> fromCarol(x)
            && Stanzas.element(x, "retract", Stanzas.RETRACT_NS).isPresent(), WAIT);
        assertEquals(stanzaId, Stanzas.element(retraction, "retract", Stanzas.RETRACT_NS).get().attr("id"),
            retraction.toXML().toString());
    }

    @Test
    void xmppRetractionBecomesMatrixRedaction() throws Exception {
        String doomed = uniq("never mind");
        Message sent = aliceSays(doomed);
        String stanzaId = Stanzas.stanzaId(sent, roomJid);
        String eventId = ghostSaid(doomed).event().path("event_id").asText();

        Message retract = room.muc().buildMessage().setBody("/me retracted a message")
            .addExtension(Stanzas.ext("retract", Stanzas.RETRACT_NS).addAttribute("id", stanzaId).build())
            .addExtension(Stanzas.ext("fallback", Stanzas.FALLBACK_NS).addAttribute("for", Stanzas.RETRACT_NS).build())
            .build();
        alice.connection().sendStanza(retract);
        carolSees.await("the redaction of " + eventId, e -> e.roomId().equals(room.matrixRoomId())
            && "m.room.redaction".equals(e.type()) && ghost.equals(e.sender())
            && (eventId.equals(e.event().path("redacts").asText())
                || eventId.equals(e.content().path("redacts").asText())), WAIT);
    }

    @Test
    void xmppReactionsBecomeMatrixAnnotationsAndTheirRemovalARedaction() throws Exception {
        String text = uniq("react to this");
        String eventId = carolSays(text);
        String stanzaId = Stanzas.stanzaId(carolSaidOnXmpp(text), roomJid);

        alice.connection().sendStanza(room.muc().buildMessage()
            .addExtension(Stanzas.ext("reactions", Stanzas.REACTIONS_NS).addAttribute("id", stanzaId)
                .addElement(Stanzas.ext("reaction", Stanzas.REACTIONS_NS).setText("👍").build()).build()).build());
        MatrixWatch.Seen reaction = carolSees.await("the ghost's 👍", e -> e.roomId().equals(room.matrixRoomId())
            && "m.reaction".equals(e.type()) && ghost.equals(e.sender())
            && eventId.equals(e.content().path("m.relates_to").path("event_id").asText()), WAIT);
        JsonNode rel = reaction.content().path("m.relates_to");
        assertEquals("m.annotation", rel.path("rel_type").asText());
        assertEquals("👍", rel.path("key").asText());

        // XEP-0444: an empty set removes every reaction of the sender.
        alice.connection().sendStanza(room.muc().buildMessage()
            .addExtension(Stanzas.ext("reactions", Stanzas.REACTIONS_NS).addAttribute("id", stanzaId).build()).build());
        String reactionId = reaction.event().path("event_id").asText();
        carolSees.await("the redaction of the 👍", e -> e.roomId().equals(room.matrixRoomId())
            && "m.room.redaction".equals(e.type()) && (reactionId.equals(e.event().path("redacts").asText())
                || reactionId.equals(e.content().path("redacts").asText())), WAIT);
    }

    @Test
    void matrixAnnotationsBecomeXmppReactionsAndTheirRedactionARemoval() throws Exception {
        String text = uniq("xmpp message to react to");
        Message sent = aliceSays(text);
        String stanzaId = Stanzas.stanzaId(sent, roomJid);
        String eventId = ghostSaid(text).event().path("event_id").asText();

        ObjectNode annotation = BridgeFixture.object();
        annotation.putObject("m.relates_to").put("rel_type", "m.annotation").put("event_id", eventId).put("key", "🎉");
        String reactionId = f.send(carol, room.matrixRoomId(), "m.reaction", annotation);
        Message added = aliceGets.awaitMessage("carol's 🎉", m -> fromCarol(m)
            && Stanzas.element(m, "reactions", Stanzas.REACTIONS_NS).isPresent(), WAIT);
        El set = Stanzas.element(added, "reactions", Stanzas.REACTIONS_NS).get();
        assertEquals(stanzaId, set.attr("id"), added.toXML().toString());
        assertEquals(List.of("🎉"), set.children().stream().map(El::text).toList(), added.toXML().toString());

        f.redact(carol, room.matrixRoomId(), reactionId);
        Message removed = aliceGets.awaitMessage("the removal of carol's 🎉", m -> fromCarol(m)
            && Stanzas.element(m, "reactions", Stanzas.REACTIONS_NS).map(r -> r.children().isEmpty()).orElse(false),
            WAIT);
        assertEquals(stanzaId, Stanzas.element(removed, "reactions", Stanzas.REACTIONS_NS).get().attr("id"));
    }

    @Test
    void xmppChatStatesBecomeMatrixTyping() throws Exception {
        Message composing = room.muc().buildMessage().build();
        composing.addExtension(new ChatStateExtension(ChatState.composing));
        alice.connection().sendStanza(composing);
        carolSees.await("the ghost typing", e -> e.roomId().equals(room.matrixRoomId()) && "m.typing".equals(e.type())
            && contains(e.content().path("user_ids"), ghost), WAIT);
        Message active = room.muc().buildMessage().build();
        active.addExtension(new ChatStateExtension(ChatState.active));
        alice.connection().sendStanza(active);
        carolSees.await("the ghost no longer typing", e -> e.roomId().equals(room.matrixRoomId())
            && "m.typing".equals(e.type()) && !contains(e.content().path("user_ids"), ghost), WAIT);
    }

    @Test
    void matrixTypingBecomesXmppChatState() throws Exception {
        ObjectNode typing = BridgeFixture.object().put("typing", true).put("timeout", 10_000);
        BridgeFixture.expectOk("typing", f.call("PUT", "/_matrix/client/v3/rooms/" + BridgeFixture.enc(room.matrixRoomId())
            + "/typing/" + BridgeFixture.enc(carol.userId()), carol, typing));
        aliceGets.awaitMessage("carol composing", m -> fromCarol(m)
            && Stanzas.element(m, "composing", Stanzas.CHATSTATES_NS).isPresent(), WAIT);
        BridgeFixture.expectOk("typing off", f.call("PUT", "/_matrix/client/v3/rooms/"
            + BridgeFixture.enc(room.matrixRoomId()) + "/typing/" + BridgeFixture.enc(carol.userId()), carol,
            BridgeFixture.object().put("typing", false)));
        aliceGets.awaitMessage("carol no longer composing", m -> fromCarol(m)
            && (Stanzas.element(m, "active", Stanzas.CHATSTATES_NS).isPresent()
                || Stanzas.element(m, "paused", Stanzas.CHATSTATES_NS).isPresent()), WAIT);
    }

    @Test
    void xmppDisplayedMarkerBecomesMatrixReadReceipt() throws Exception {
        String text = uniq("please read");
        String eventId = carolSays(text);
        String stanzaId = Stanzas.stanzaId(carolSaidOnXmpp(text), roomJid);
        alice.connection().sendStanza(room.muc().buildMessage()
            .addExtension(Stanzas.ext("displayed", Stanzas.MARKERS_NS).addAttribute("id", stanzaId).build()).build());
        carolSees.await("the ghost's read receipt", e -> e.roomId().equals(room.matrixRoomId())
            && "m.receipt".equals(e.type()) && e.content().path(eventId).path("m.read").has(ghost), WAIT);
    }

    @Test
    void matrixReadReceiptBecomesXmppDisplayedMarker() throws Exception {
        String text = uniq("read me on matrix");
        Message sent = aliceSays(text);
        String stanzaId = Stanzas.stanzaId(sent, roomJid);
        String eventId = ghostSaid(text).event().path("event_id").asText();
        BridgeFixture.expectOk("receipt", f.call("POST", "/_matrix/client/v3/rooms/"
            + BridgeFixture.enc(room.matrixRoomId()) + "/receipt/m.read/" + BridgeFixture.enc(eventId), carol,
            BridgeFixture.object()));
        Message marker = aliceGets.awaitMessage("carol's displayed marker", m -> fromCarol(m)
            && Stanzas.element(m, "displayed", Stanzas.MARKERS_NS).isPresent(), WAIT);
        String markedId = Stanzas.element(marker, "displayed", Stanzas.MARKERS_NS).get().attr("id");
        assertTrue(stanzaId.equals(markedId) || sent.getStanzaId().equals(markedId), marker.toXML().toString());
    }

    @Test
    void matrixImageBecomesXmppOobLinkThatServesTheImage() throws Exception {
        byte[] png = tinyPng();
        String mxc = f.upload(carol, png, "image/png", "dot.png");
        ObjectNode image = BridgeFixture.object().put("msgtype", "m.image").put("body", "dot.png").put("url", mxc);
        image.putObject("info").put("mimetype", "image/png").put("size", png.length);
        f.send(carol, room.matrixRoomId(), "m.room.message", image);

        Message m = aliceGets.awaitMessage("carol's image", x -> fromCarol(x)
            && Stanzas.element(x, "x", Stanzas.OOB_NS).isPresent(), WAIT);
        String url = Stanzas.element(m, "x", Stanzas.OOB_NS).get().child("url").map(El::text).orElseThrow();
        assertTrue(url.startsWith("http"), url);
        HttpResponse<byte[]> got = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
            .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), url);
        assertArrayEquals(png, got.body());
    }

    @Test
    void xmppOobImageBecomesMatrixImageRehostedInTheMediaRepository() throws Exception {
        byte[] png = tinyPng();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/files/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/files/"
                + Sandbox.uniqueName("pic") + ".png";
            alice.connection().sendStanza(room.muc().buildMessage().setBody(url)
                .addExtension(Stanzas.ext("x", Stanzas.OOB_NS)
                    .addElement(Stanzas.ext("url", Stanzas.OOB_NS).setText(url).build()).build()).build());
            JsonNode content = ghostMessage("alice's image", c -> "m.image".equals(c.path("msgtype").asText())).content();
            String mxc = content.path("url").asText();
            assertTrue(mxc.startsWith("mxc://"), content.toString());
            assertArrayEquals(png, f.download(carol, mxc));
        } finally {
            server.stop(0);
        }
    }

    /** Matrix presence shows on the puppet's MUC occupant (the other way: {@link #xmppOccupantPresenceReachesTheGhost}). */
    @Test
    void matrixPresenceReachesThePuppetsOccupant() throws Exception {
        carolSays(uniq("make sure carol's puppet has joined"));
        BridgeFixture.expectOk("presence", f.call("PUT", "/_matrix/client/v3/presence/"
            + BridgeFixture.enc(carol.userId()) + "/status", carol,
            BridgeFixture.object().put("presence", "unavailable").put("status_msg", "in a meeting")));
        Presence p = aliceGets.awaitPresence("carol's occupant away", x -> x.getFrom() != null
            && (roomJid + "/" + carolName).equals(x.getFrom().toString()) && "in a meeting".equals(x.getStatus()), WAIT);
        assertTrue(p.getMode() == Presence.Mode.away || p.getMode() == Presence.Mode.xa, p.toXML().toString());
    }

    /** An XMPP occupant's show/status in the MUC becomes her ghost's Matrix presence and status message. */
    @Test
    void xmppOccupantPresenceReachesTheGhost() throws Exception {
        String hello = uniq("about to go to lunch");
        aliceSays(hello);
        ghostSaid(hello); // Matrix shows presence only of users who share a room: the ghost is in it now
        String status = uniq("at lunch");
        alice.connection().sendStanza(alice.connection().getStanzaFactory().buildPresenceStanza()
            .to(JidCreate.entityFullFrom(roomJid + "/" + ALICE_NICK)).setMode(Presence.Mode.away).setStatus(status)
            .build());
        MatrixWatch.Seen seen = carolSees.await("the ghost's presence", e -> e.kind() == MatrixWatch.Kind.PRESENCE
            && ghost.equals(e.sender()) && status.equals(e.content().path("status_msg").asText()), WAIT);
        assertEquals("unavailable", seen.content().path("presence").asText(), seen.content().toString());
        String back = uniq("back, still in the room");
        alice.connection().sendStanza(alice.connection().getStanzaFactory().buildPresenceStanza()
            .to(JidCreate.entityFullFrom(roomJid + "/" + ALICE_NICK)).setStatus(back).build());
        MatrixWatch.Seen online = carolSees.await("the ghost online again", e -> e.kind() == MatrixWatch.Kind.PRESENCE
            && ghost.equals(e.sender()) && back.equals(e.content().path("status_msg").asText()), WAIT);
        assertEquals("online", online.content().path("presence").asText(), online.content().toString());
    }

    /** A Matrix user's avatar becomes the PHOTO of her puppet's vCard (XEP-0054), fetched by the bridge. */
    @Test
    void matrixAvatarBecomesThePuppetsVcardPhoto() throws Exception {
        byte[] png = tinyPng();
        String mxc = f.upload(carol, png, "image/png", "avatar.png");
        BridgeFixture.expectOk("set avatar", f.call("PUT", "/_matrix/client/v3/profile/" + BridgeFixture.enc(carol.userId())
            + "/avatar_url", carol, BridgeFixture.object().put("avatar_url", mxc)));
        String text = uniq("now with an avatar");
        carolSays(text);
        carolSaidOnXmpp(text);
        VCardManager vcards = VCardManager.getInstanceFor(alice.connection());
        org.jxmpp.jid.EntityBareJid puppet = f.puppetOf(carol.userId());
        BridgeFixture.awaitCondition("the puppet's vCard PHOTO", () -> {
            try {
                VCard v = vcards.loadVCard(puppet);
                return v.getAvatar() != null && java.util.Arrays.equals(png, v.getAvatar());
            } catch (Exception e) {
                return false;
            }
        }, WAIT);
    }

    /**
     * An XMPP user's avatar (her vCard PHOTO, announced by the XEP-0153 hash in her MUC presence) becomes her Matrix
     * ghost's avatar, re-hosted in the media repository, while the ghost keeps her MUC nick as its name in the room.
     */
    @Test
    void xmppAvatarBecomesTheGhostsMatrixAvatarAndTheRoomNickSurvives() throws Exception {
        byte[] png = uniquePng();
        VCardManager vcards = VCardManager.getInstanceFor(alice.connection());
        VCard mine = new VCard();
        mine.setNickName(ALICE_NICK);
        mine.setAvatar(png, "image/png");
        vcards.saveVCard(mine);
        EntityFullJid occupant = JidCreate.entityFullFrom(roomJid + "/" + ALICE_NICK);
        alice.connection().sendStanza(alice.connection().getStanzaFactory().buildPresenceStanza().to(occupant)
            .addExtension(Stanzas.ext("x", "vcard-temp:x:update")
                .addElement(Stanzas.ext("photo", "vcard-temp:x:update").setText(sha1Hex(png)).build()).build())
            .build());

        String[] mxc = new String[1];
        BridgeFixture.awaitCondition("alice's ghost shows her vCard photo", () -> {
            var r = f.call("GET", "/_matrix/client/v3/profile/" + BridgeFixture.enc(ghost) + "/avatar_url", carol, null);
            String url = r.ok() ? r.body().path("avatar_url").asText("") : "";
            if (!url.startsWith("mxc://")) {
                return false;
            }
            mxc[0] = url;
            return java.util.Arrays.equals(png, f.download(carol, url));
        }, WAIT);
        BridgeFixture.awaitCondition("the ghost's member event in the room keeps the MUC nick, with the avatar", () -> {
            var r = f.call("GET", "/_matrix/client/v3/rooms/" + BridgeFixture.enc(room.matrixRoomId())
                + "/state/m.room.member/" + BridgeFixture.enc(ghost), carol, null);
            return r.ok() && ALICE_NICK.equals(r.body().path("displayname").asText())
                && mxc[0].equals(r.body().path("avatar_url").asText());
        }, WAIT);
        String text = uniq("said with a face");
        aliceSays(text);
        ghostSaid(text);
    }

    /** A PNG no other run has sent: the bridge's avatar links are content-addressed. */
    static byte[] uniquePng() throws java.io.IOException {
        var image = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, new java.security.SecureRandom().nextInt(0xffffff));
        image.setRGB(3, 3, (int) (System.nanoTime() & 0xffffff));
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static String sha1Hex(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
    }

    // ------------------------------------------------------------------ utilities

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Matrix "rich reply" fallback: leading "> " lines and the blank line after them. */
    private static String stripMatrixReplyFallback(String body) {
        if (!body.startsWith(">")) {
            return body;
        }
        String[] lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].startsWith(">")) {
            i++;
        }
        if (i < lines.length && lines[i].isEmpty()) {
            i++;
        }
        return String.join("\n", java.util.Arrays.copyOfRange(lines, i, lines.length));
    }

    /** A valid 1×1 PNG. */
    static byte[] tinyPng() {
        return Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    }
}
