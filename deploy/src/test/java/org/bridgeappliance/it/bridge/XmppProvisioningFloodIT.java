package org.bridgeappliance.it.bridge;

import static org.bridgeappliance.it.bridge.BridgeFixture.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Issue 9 item 7 through real Prosody and Synapse: one XMPP user floods the gateway and the 1:1 chats with rooms and
 * people that do not exist (each one a Matrix Client-Server round trip, once made on the single XMPP inbound thread).
 * Other users' traffic must keep flowing both ways meanwhile, and every refused stanza gets an XMPP error.
 */
class XmppProvisioningFloodIT {
    /** How late a message of another user may arrive while the flood is being answered. */
    static final Duration PROMPT = Duration.ofSeconds(10);
    static final int FLOOD = 100;

    private BridgeFixture f;

    @BeforeEach
    void setUp() {
        f = new BridgeFixture();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** The errors one connection receives, by stanza id. */
    static final class Errors {
        final Map<String, StanzaError.Condition> byId = new ConcurrentHashMap<>();

        Errors(XmppUsers.User user) {
            user.connection().addSyncStanzaListener(s -> {
                synchronized (this) {
                    byId.put(s.getStanzaId(), s.getError().getCondition());
                    notifyAll();
                }
            }, s -> (s instanceof Presence || s instanceof Message) && s.getError() != null && s.getStanzaId() != null);
        }

        /** Waits until every id starting with {@code prefix} (0..n-1) has an error; returns how many have. */
        synchronized int await(String prefix, int n, Duration timeout) throws InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            while (count(prefix, n) < n) {
                long left = Duration.between(Instant.now(), deadline).toMillis();
                if (left <= 0) {
                    break;
                }
                wait(left);
            }
            return count(prefix, n);
        }

        private int count(String prefix, int n) {
            int c = 0;
            for (int i = 0; i < n; i++) {
                c += byId.containsKey(prefix + i) ? 1 : 0;
            }
            return c;
        }
    }

    @Test
    void aFloodOfRoomsAndChatsThatCannotBeOpenedLeavesOtherTrafficFlowingAndIsAnsweredWithErrors() throws Exception {
        // A working gateway room: carol on Matrix, bob on XMPP.
        Session carol = f.newMatrixUser("carol", "Carol " + Sandbox.uniqueName("c"));
        MatrixWatch carolSees = new MatrixWatch(f.matrix, carol);
        String aliasName = Sandbox.uniqueName("hall");
        String roomId = f.matrix.createRoom(carol, Map.of("preset", "public_chat", "room_alias_name", aliasName));
        EntityBareJid gateway = f.gatewayRoomOf("#" + aliasName + ":" + f.serverName());
        XmppUsers.User bob = f.xmpp.registerAndLogin("bob");
        XmppInbox bobGets = new XmppInbox(bob.connection());
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(bob.connection()).getMultiUserChat(gateway);
        muc.join(Resourcepart.from("bob-gw"));
        String before = "before the flood " + Sandbox.uniqueName("m");
        muc.sendMessage(before);
        carolSees.await("bob's message before the flood", e -> e.roomId().equals(roomId)
            && before.equals(e.content().path("body").asText()), WAIT);

        // mallory: joins to aliases that do not exist and chats with Matrix users that do not exist.
        XmppUsers.User mallory = f.xmpp.registerAndLogin("mallory");
        Errors malloryGets = new Errors(mallory);
        String tag = Sandbox.uniqueName("nosuch");
        for (int i = 0; i < FLOOD; i++) {
            EntityBareJid room = f.gatewayRoomOf("#" + tag + "_" + i + ":" + f.serverName());
            Presence join = StanzaBuilder.buildPresence("j" + i)
                .to(JidCreate.entityFullFrom(room, Resourcepart.from("m")))
                .addExtension(new MUCInitialPresence(null, -1, -1, -1, null)).build();
            mallory.connection().sendStanza(join);
            EntityBareJid nobody = f.puppetOf("@" + tag + "_" + i + ":" + f.serverName());
            mallory.connection().sendStanza(StanzaBuilder.buildMessage("d" + i).to(nobody).ofType(Message.Type.chat).setBody("hello?").build());
        }

        // Meanwhile bob's and carol's messages are bridged promptly, both ways.
        String during = "during the flood " + Sandbox.uniqueName("m");
        Instant sent = Instant.now();
        muc.sendMessage(during);
        carolSees.await("bob's message during the flood", e -> e.roomId().equals(roomId)
            && during.equals(e.content().path("body").asText()), PROMPT);
        Duration took = Duration.between(sent, Instant.now());
        String back = "carol answers " + Sandbox.uniqueName("m");
        f.send(carol, roomId, "m.room.message", BridgeFixture.text(back));
        bobGets.awaitMessage("carol's answer during the flood", m -> back.equals(m.getBody()), PROMPT);

        // Nothing of the flood is dropped silently: every join gets an error (the rooms do not exist), and so does
        // every chat message beyond mallory's allowance (Synapse lets the bridge open a DM with a local user that
        // does not exist, so the few within it are bridged).
        int allowance = XmppLimits.defaults().provisionBurst();
        assertEquals(FLOOD, malloryGets.await("j", FLOOD, WAIT), "joins answered with an error: " + malloryGets.byId);
        int chatErrors = malloryGets.await("d", FLOOD, Duration.ofSeconds(5));
        assertTrue(chatErrors >= FLOOD - allowance, chatErrors + " chat messages answered with an error: "
            + malloryGets.byId);
        assertTrue(malloryGets.byId.values().stream().anyMatch(c -> c == StanzaError.Condition.resource_constraint),
            "the flood was rate-limited: " + malloryGets.byId);

        // And afterwards the bridge still works.
        String after = "after the flood " + Sandbox.uniqueName("m");
        muc.sendMessage(after);
        carolSees.await("bob's message after the flood", e -> e.roomId().equals(roomId)
            && after.equals(e.content().path("body").asText()), WAIT);
        System.out.println("XmppProvisioningFloodIT: bob's message during a flood of " + (2 * FLOOD)
            + " unprovisionable stanzas reached Matrix after " + took.toMillis() + " ms");
    }
}
