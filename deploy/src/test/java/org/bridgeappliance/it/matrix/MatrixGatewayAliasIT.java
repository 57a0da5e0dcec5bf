package org.bridgeappliance.it.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * AS API "Query Room Alias" through the running appliance: a Matrix user joins
 * {@code #_xmpp_<muc>=40conference.xmpp.test:matrix.test}; the appliance creates the portal room on
 * demand, maps it to the MUC, and messages flow into the MUC.
 */
class MatrixGatewayAliasIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);
    private final XmppUsers xmpp = new XmppUsers(sandbox);

    @AfterEach
    void tearDown() {
        xmpp.close();
    }

    @Test
    void joiningAnAliasInTheBridgeNamespaceOpensTheMuc() throws Exception {
        assertEquals("running", sandbox.get("APPLIANCE_STATE"), "needs the appliance: deploy/sandbox.sh up");
        XmppUsers.User alice = xmpp.registerAndLogin("alice");
        EntityBareJid room = JidCreate.entityBareFrom(Sandbox.uniqueName("gw") + "@" + sandbox.get("XMPP_MUC_DOMAIN"));
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(room);
        MultiUserChat.MucCreateConfigFormHandle created = muc.createOrJoin(Resourcepart.from("alice"));
        if (created != null) {
            created.makeInstant();
        }
        BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        muc.addMessageListener(received::add);

        Session carol = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"),
                Sandbox.uniqueName("carol"), Sandbox.uniqueName("pw"), false);
        String alias = "#_xmpp_" + room.toString().replace("_", "__").replace("@", "=40") + ":"
                + sandbox.get("MATRIX_SERVER_NAME");
        MatrixTestClient.Response join = matrix.call("POST", "/_matrix/client/v3/join/" + enc(alias),
                carol.accessToken(), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        assertTrue(join.ok(), "joining " + alias + ": " + join);
        String roomId = join.body().path("room_id").asText();

        String text = "hello through the alias " + Sandbox.uniqueName("m");
        matrix.sendText(carol, roomId, text);
        long deadline = System.nanoTime() + WAIT.toNanos();
        Message got = null;
        while (got == null && System.nanoTime() < deadline) {
            Message m = received.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (m != null && text.equals(m.getBody())) {
                got = m;
            }
        }
        assertNotNull(got, "the MUC never got carol's message");
        assertEquals(room, got.getFrom().asBareJid());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
