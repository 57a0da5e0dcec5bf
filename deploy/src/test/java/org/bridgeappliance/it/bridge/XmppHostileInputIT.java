package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.bridgeappliance.it.bridge.BridgeFixture.MappedRoom;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.RawComponent;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Issue 9, items 1–4, through the running appliance with real Prosody and Synapse: a hostile XMPP user (Mallory, a
 * Smack client, or a component posing as a MUC service) sends each attack over the network, and after each one the
 * appliance still bridges Alice (XMPP) and Carol (Matrix) in their mapped MUC both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XmppHostileInputIT {
    private static final String ALICE_NICK = "alice-nick";
    private static final String MALLORY_NICK = "mallory";
    private static final String RETRACT_NS = "urn:xmpp:message-retract:1";
    private static final String MODERATE_NS = "urn:xmpp:message-moderate:1";

    private BridgeFixture f;
    private String carolName;
    private Session carol;
    private MatrixWatch carolSees;
    private XmppUsers.User alice;
    private XmppInbox aliceGets;
    private XmppUsers.User mallory;
    private XmppInbox malloryGets;
    private MultiUserChat malloryMuc;
    private MappedRoom room;
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
        // As in a real deployment, the bridge bot may moderate (so a believed spoof would really redact).
        String levels = "/_matrix/client/v3/rooms/" + BridgeFixture.enc(room.matrixRoomId()) + "/state/m.room.power_levels";
        com.fasterxml.jackson.databind.node.ObjectNode power = (com.fasterxml.jackson.databind.node.ObjectNode)
            BridgeFixture.expectOk("power levels", f.call("GET", levels, carol, null)).deepCopy();
        power.with("users").put(f.bot(), 100);
        BridgeFixture.expectOk("bot made moderator", f.call("PUT", levels, carol, power));
        roomJid = room.muc().getRoom().toString();
        mallory = f.xmpp.registerAndLogin("mallory");
        malloryGets = new XmppInbox(mallory.connection());
        malloryMuc = MultiUserChatManager.getInstanceFor(mallory.connection()).getMultiUserChat(room.muc().getRoom());
        malloryMuc.join(Resourcepart.from(MALLORY_NICK));
        stillBridges("after setup");
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String uniq(String text) {
        return text + " " + Sandbox.uniqueName("m");
    }

    /** Alice → Carol and Carol → Alice, each seen on the other side: the bridge works. */
    private void stillBridges(String when) throws Exception {
        String up = uniq("alice still bridged " + when);
        alice.connection().sendStanza(BridgeFixture.groupchat(room.muc(), up));
        String ghost = f.ghostOf(alice.jid());
        carolSees.await("'" + up + "' from alice's ghost", e -> e.roomId().equals(room.matrixRoomId())
            && ghost.equals(e.sender()) && up.equals(e.content().path("body").asText()), WAIT);
        String down = uniq("carol still bridged " + when);
        f.send(carol, room.matrixRoomId(), "m.room.message", BridgeFixture.text(down));
        aliceGets.awaitMessage("'" + down + "' from carol's puppet", m -> m.getType() == Message.Type.groupchat
            && m.getFrom() != null && carolName.equals(m.getFrom().getResourceOrEmpty().toString())
            && down.equals(m.getBody()), WAIT);
    }

    // ------------------------------------------------------------------ tests

    /**
     * Item 1: 4,000 nested elements (28 KB) killed the component's reader thread; now a stanza error. Sent as an IQ:
     * Prosody 0.12's MAM archives a message before routing it, fails on the depth and drops it.
     */
    @Test
    void deeplyNestedStanzaIsRefusedAndTheBridgeKeepsBridging() throws Exception {
        String nest = "<a>".repeat(4000) + "</a>".repeat(4000);
        IQ deep = new IQ("x", "urn:example:hostile") {
            @Override
            protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
                xml.rightAngleBracket();
                xml.append(nest);
                return xml;
            }
        };
        deep.setType(IQ.Type.get);
        deep.setTo(f.puppetOf(carol.userId()));
        XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
            () -> mallory.connection().createStanzaCollectorAndSend(deep).nextResultOrThrow(WAIT.toMillis()));
        assertEquals(StanzaError.Condition.bad_request, refused.getStanzaError().getCondition(),
            refused.getStanzaError().toXML().toString());
        stillBridges("a deeply nested stanza");
    }

    /** Item 2: 8 KB of '>' overflowed the stack in XEP-0393 styling (the message was lost); now it is bridged. */
    @Test
    void quoteBombIsBridgedAndTheBridgeKeepsBridging() throws Exception {
        String bomb = ">".repeat(8 * 1024) + " " + uniq("bomb");
        malloryMuc.sendMessage(bomb);
        String ghost = f.ghostOf(mallory.jid());
        MatrixWatch.Seen seen = carolSees.await("mallory's quote bomb", e -> e.roomId().equals(room.matrixRoomId())
            && ghost.equals(e.sender()) && bomb.equals(e.content().path("body").asText()), WAIT);
        String html = seen.content().path("formatted_body").asText();
        assertTrue(html.split("<blockquote>", -1).length - 1 <= 8, "quote depth is capped: " + html.length() + " chars");
        stillBridges("a quote bomb");
    }

    /**
     * Item 3: an occupant's {@code <moderated/>} retraction made the bridge bot redact Carol's message. Now it is at
     * most a retraction of Mallory's own messages: Carol's message stays.
     */
    @Test
    void moderationSpoofedByAnOccupantRedactsNothing() throws Exception {
        String text = uniq("carol's precious message");
        String eventId = f.send(carol, room.matrixRoomId(), "m.room.message", BridgeFixture.text(text));
        Message copy = aliceGets.awaitMessage("carol's message", m -> text.equals(m.getBody()), WAIT);
        String stanzaId = Stanzas.stanzaId(copy, roomJid);
        Message spoof = malloryMuc.buildMessage().setBody("/me moderated a message")
            .addExtension(Stanzas.ext("retract", RETRACT_NS).addAttribute("id", stanzaId)
                .addElement(Stanzas.ext("moderated", MODERATE_NS).addAttribute("by", roomJid + "/" + MALLORY_NICK)
                    .build())
                .addElement(Stanzas.ext("reason", RETRACT_NS).setText("spam").build()).build())
            .build();
        mallory.connection().sendStanza(spoof);
        // The bridge handles a room's stanzas in order: once a later message is bridged, the spoof was handled.
        stillBridges("a spoofed moderation");
        assertFalse(carolSees.seen().stream().anyMatch(e -> "m.room.redaction".equals(e.type())
                && (eventId.equals(e.event().path("redacts").asText())
                    || eventId.equals(e.content().path("redacts").asText()))),
            "carol's message was redacted on mallory's word");
        MatrixTestClient.Response still = f.call("GET", "/_matrix/client/v3/rooms/" + BridgeFixture.enc(room.matrixRoomId())
            + "/event/" + BridgeFixture.enc(eventId), carol, null);
        assertEquals(text, BridgeFixture.expectOk("carol's message", still).path("content").path("body").asText());
    }

    /**
     * Item 4: {@code #_xmpp_r=40<foreign service>} made the bridge resolve and join a MUC on a service the attacker
     * runs (here: the sandbox's test-only component posing as a MUC service), whose presences could then claim any
     * real JID. Now the alias does not resolve and the foreign service never hears from the bridge.
     */
    @Test
    void roomOnAForeignMucServiceIsNeitherResolvedNorJoined() throws Exception {
        String service = f.sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN");
        try (Socket evil = new Socket()) {
            evil.connect(new InetSocketAddress(f.sandbox.get("XMPP_HOST"), f.sandbox.getInt("XMPP_COMPONENT_PORT")), 5000);
            String answer = RawComponent.handshake(evil, service, f.sandbox.get("XMPP_PROBE_COMPONENT_SECRET"));
            assertFalse(answer.contains("stream:error"), "the hostile service could not connect: " + answer);
            String alias = "#_xmpp_" + BridgeFixture.matrixEncode(Sandbox.uniqueName("r") + "@" + service) + ":"
                + f.serverName();
            MatrixTestClient.Response r = f.call("GET", "/_matrix/client/v3/directory/room/" + BridgeFixture.enc(alias),
                carol, null);
            assertEquals(404, r.status(), r.toString());
            // The bridge resolves before it answers: whatever it asked the service is on its way by now.
            String heard = RawComponent.readFor(evil, Duration.ofSeconds(3));
            assertFalse(heard.contains("disco#info") || heard.contains("<presence"),
                "the bridge talked to a MUC service outside its allow-list: " + heard);
        }
        stillBridges("a foreign MUC service");
    }
}
