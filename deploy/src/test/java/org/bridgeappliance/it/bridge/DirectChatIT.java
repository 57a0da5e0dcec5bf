package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
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
import org.jxmpp.jid.EntityBareJid;

/**
 * 1:1 chats through the running appliance: an XMPP user writes to the puppet JID of a Matrix user, who gets a DM
 * invite from the XMPP user's ghost, joins and answers; and the other way round, a Matrix user opens a DM with a
 * ghost. The first test opens the chat the later ones use (they fail with a clear message if it could not).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectChatIT {
    private BridgeFixture f;
    private Session carol;
    private String carolName;
    private MatrixWatch carolSees;
    private XmppUsers.User alice;
    private XmppInbox aliceGets;
    private EntityBareJid carolPuppet;
    private String ghost;
    private String dmRoom;

    @BeforeAll
    void setUp() {
        f = new BridgeFixture();
        carolName = "Carol " + Sandbox.uniqueName("c");
        carol = f.newMatrixUser("carol", carolName);
        carolSees = new MatrixWatch(f.matrix, carol);
        alice = f.xmpp.registerAndLogin("alice");
        aliceGets = new XmppInbox(alice.connection());
        carolPuppet = f.puppetOf(carol.userId());
        ghost = f.ghostOf(alice.jid());
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private Message chat(EntityBareJid to, String body) {
        return alice.connection().getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat)
            .setBody(body).build();
    }

    private String requireDm() {
        assertNotNull(dmRoom, "the 1:1 chat of the first test was not opened");
        return dmRoom;
    }

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    @Test
    @Order(1)
    void xmppUserWritesToThePuppetAndTheMatrixUserGetsADmFromTheGhost() throws Exception {
        String hi = uniq("hi carol, it's alice");
        alice.connection().sendStanza(chat(carolPuppet, hi));

        MatrixWatch.Seen invite = carolSees.await("a DM invite from " + ghost, e -> e.kind() == MatrixWatch.Kind.INVITE
            && "m.room.member".equals(e.type()) && carol.userId().equals(e.event().path("state_key").asText())
            && ghost.equals(e.sender()), WAIT);
        assertTrue(invite.content().path("is_direct").asBoolean(), invite.event().toString());
        String roomId = invite.roomId();
        f.matrix.join(carol, roomId, null);
        MatrixWatch.Seen got = carolSees.await("alice's first message", e -> e.roomId().equals(roomId)
            && "m.room.message".equals(e.type()) && hi.equals(e.content().path("body").asText()), WAIT);
        assertEquals(ghost, got.sender());
        dmRoom = roomId;

        String back = uniq("hi alice, carol here");
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(back));
        Message m = aliceGets.awaitMessage("carol's answer", x -> back.equals(x.getBody()), WAIT);
        assertEquals(carolPuppet, m.getFrom().asBareJid());
        assertEquals(Message.Type.chat, m.getType());
    }

    @Test
    @Order(2)
    void correctionAndTypingInTheDm() throws Exception {
        String roomId = requireDm();
        String original = uniq("see you at 5");
        Message first = chat(carolPuppet, original);
        alice.connection().sendStanza(first);
        String eventId = carolSees.await("the original", e -> e.roomId().equals(roomId)
            && original.equals(e.content().path("body").asText()), WAIT).event().path("event_id").asText();
        String fixed = uniq("see you at 6");
        Message correction = chat(carolPuppet, fixed);
        correction.addExtension(new MessageCorrectExtension(first.getStanzaId()));
        alice.connection().sendStanza(correction);
        JsonNode edit = carolSees.await("the edit", e -> e.roomId().equals(roomId)
            && eventId.equals(e.content().path("m.relates_to").path("event_id").asText())
            && "m.replace".equals(e.content().path("m.relates_to").path("rel_type").asText()), WAIT).content();
        assertEquals(fixed, edit.path("m.new_content").path("body").asText(), edit.toString());

        Message composing = alice.connection().getStanzaFactory().buildMessageStanza().to(carolPuppet)
            .ofType(Message.Type.chat).build();
        composing.addExtension(new ChatStateExtension(ChatState.composing));
        alice.connection().sendStanza(composing);
        carolSees.await("the ghost typing in the DM", e -> e.roomId().equals(roomId) && "m.typing".equals(e.type())
            && e.content().path("user_ids").toString().contains("\"" + ghost + "\""), WAIT);
    }

    @Test
    @Order(3)
    void presenceBothWaysBetweenDmPartners() throws Exception {
        requireDm();
        // XMPP -> Matrix: alice's directed presence to the puppet becomes her ghost's presence.
        alice.connection().sendStanza(alice.connection().getStanzaFactory().buildPresenceStanza().to(carolPuppet)
            .setMode(Presence.Mode.dnd).setStatus("focus time").build());
        carolSees.await("the ghost's presence", e -> e.kind() == MatrixWatch.Kind.PRESENCE && ghost.equals(e.sender())
            && "focus time".equals(e.content().path("status_msg").asText()), WAIT);

        // Matrix -> XMPP: carol's presence reaches alice from the puppet.
        BridgeFixture.expectOk("presence", f.call("PUT", "/_matrix/client/v3/presence/"
            + BridgeFixture.enc(carol.userId()) + "/status", carol,
            BridgeFixture.object().put("presence", "unavailable").put("status_msg", "commuting")));
        Presence p = aliceGets.awaitPresence("the puppet's presence", x -> x.getFrom() != null
            && carolPuppet.equals(x.getFrom().asBareJid()) && "commuting".equals(x.getStatus()), WAIT);
        assertTrue(p.getMode() == Presence.Mode.away || p.getMode() == Presence.Mode.xa, p.toXML().toString());
    }

    /**
     * An XMPP user who never announced an avatar hash (no XEP-0153 presence to the puppet) but has a vCard PHOTO: the
     * bridge reads her vCard on first contact and her Matrix ghost shows the photo.
     */
    @Test
    void anXmppUsersVcardPhotoBecomesHerGhostsAvatarOnFirstContact() throws Exception {
        XmppUsers.User dora = f.xmpp.registerAndLogin("dora");
        byte[] png = MucMappingIT.uniquePng();
        VCard mine = new VCard();
        mine.setAvatar(png, "image/png");
        VCardManager.getInstanceFor(dora.connection()).saveVCard(mine);
        String doraGhost = f.ghostOf(dora.jid());
        String hi = uniq("hi carol, it's dora");
        dora.connection().sendStanza(dora.connection().getStanzaFactory().buildMessageStanza().to(carolPuppet)
            .ofType(Message.Type.chat).setBody(hi).build());
        carolSees.await("a DM invite from " + doraGhost, e -> e.kind() == MatrixWatch.Kind.INVITE
            && "m.room.member".equals(e.type()) && doraGhost.equals(e.sender()), WAIT);
        BridgeFixture.awaitCondition("dora's ghost shows her vCard photo", () -> {
            var r = f.call("GET", "/_matrix/client/v3/profile/" + BridgeFixture.enc(doraGhost) + "/avatar_url", carol,
                null);
            String url = r.ok() ? r.body().path("avatar_url").asText("") : "";
            return url.startsWith("mxc://") && java.util.Arrays.equals(png, f.download(carol, url));
        }, WAIT);
    }

    @Test
    void matrixUserOpensADmWithAGhostAndTheXmppUserAnswers() throws Exception {
        XmppUsers.User bob = f.xmpp.registerAndLogin("bob");
        XmppInbox bobGets = new XmppInbox(bob.connection());
        String bobGhost = f.ghostOf(bob.jid());
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "trusted_private_chat", "is_direct", true,
            "invite", List.of(bobGhost)));
        carolSees.await("bob's ghost joining", e -> e.roomId().equals(roomId) && "m.room.member".equals(e.type())
            && bobGhost.equals(e.event().path("state_key").asText())
            && "join".equals(e.content().path("membership").asText()), WAIT);

        String hello = uniq("hello bob, from matrix");
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(hello));
        Message m = bobGets.awaitMessage("carol's DM", x -> hello.equals(x.getBody()), WAIT);
        assertEquals(carolPuppet, m.getFrom().asBareJid());

        String answer = uniq("hi carol, bob here");
        bob.connection().sendStanza(bob.connection().getStanzaFactory().buildMessageStanza().to(carolPuppet)
            .ofType(Message.Type.chat).setBody(answer).build());
        MatrixWatch.Seen got = carolSees.await("bob's answer in the same DM", e -> e.roomId().equals(roomId)
            && answer.equals(e.content().path("body").asText()), WAIT);
        assertEquals(bobGhost, got.sender());
    }
}
