package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Gateway mode: an XMPP user joins {@code #alias%matrix.test@matrix.xmpp.test}, a MUC the bridge's component serves
 * for the Matrix room with that published alias, without any admin mapping; messages flow both ways.
 */
class GatewayIT {
    private BridgeFixture f;

    @BeforeEach
    void setUp() {
        f = new BridgeFixture();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void xmppUserJoinsAMatrixRoomByItsAliasAndTalks() throws Exception {
        String carolName = "Carol " + Sandbox.uniqueName("c");
        Session carol = f.newMatrixUser("carol", carolName);
        MatrixWatch carolSees = new MatrixWatch(f.matrix, carol);
        String aliasName = Sandbox.uniqueName("lobby");
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "public_chat", "room_alias_name", aliasName,
            "name", "Gateway lobby"));
        String alias = "#" + aliasName + ":" + f.serverName();

        XmppUsers.User alice = f.xmpp.registerAndLogin("alice");
        XmppInbox aliceGets = new XmppInbox(alice.connection());
        EntityBareJid gatewayJid = f.gatewayRoomOf(alias);
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(gatewayJid);
        muc.join(Resourcepart.from("alice-gw"));
        assertTrue(muc.isJoined());

        // XMPP -> Matrix: alice's ghost joins the Matrix room and speaks there.
        String ghost = f.ghostOf(alice.jid());
        String hi = "hi from the gateway " + Sandbox.uniqueName("m");
        muc.sendMessage(hi);
        MatrixWatch.Seen got = carolSees.await("alice's message via the gateway", e -> e.roomId().equals(roomId)
            && "m.room.message".equals(e.type()) && hi.equals(e.content().path("body").asText()), WAIT);
        assertEquals(ghost, got.sender());
        // Her own message is reflected to her by the gateway room (XEP-0045 §7.4), exactly once.
        aliceGets.awaitMessage("the reflection", m -> m.getType() == Message.Type.groupchat
            && hi.equals(m.getBody()) && gatewayJid.equals(m.getFrom().asBareJid()), WAIT);

        // Matrix -> XMPP: carol's message from an occupant named by her display name.
        String back = "welcome, alice " + Sandbox.uniqueName("m");
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(back));
        Message m = aliceGets.awaitMessage("carol's message in the gateway room", x -> x.getType() == Message.Type.groupchat
            && back.equals(x.getBody()), WAIT);
        assertEquals(gatewayJid, m.getFrom().asBareJid());
        assertEquals(carolName, m.getFrom().getResourceOrEmpty().toString());
        aliceGets.awaitQuiet(java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(3));
        assertEquals(1, aliceGets.messages(x -> hi.equals(x.getBody())).size(), "reflection duplicated");
        assertEquals(1, aliceGets.messages(x -> back.equals(x.getBody())).size(), "message duplicated");
    }
}
