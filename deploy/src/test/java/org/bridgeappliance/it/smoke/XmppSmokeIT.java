package org.bridgeappliance.it.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/** Prosody is real and reachable the way the XMPP side uses it: accounts, 1:1 chat, MUC with MAM. */
class XmppSmokeIT {

    private final Sandbox sandbox = Sandbox.get();
    private XmppUsers users;

    @BeforeEach
    void setUp() {
        users = new XmppUsers(sandbox);
    }

    @AfterEach
    void tearDown() {
        users.close();
    }

    @Test
    void twoRegisteredUsersExchangeAChatMessage() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        XmppUsers.User bob = users.registerAndLogin("bob");
        CompletableFuture<Message> got = new CompletableFuture<>();
        bob.connection().addAsyncStanzaListener(s -> got.complete((Message) s), MessageTypeFilter.CHAT);

        alice.connection().sendStanza(alice.connection().getStanzaFactory().buildMessageStanza()
            .to(bob.jid()).ofType(Message.Type.chat).setBody("hello bob, äöü ✓").build());

        Message m = got.get(10, TimeUnit.SECONDS);
        assertEquals("hello bob, äöü ✓", m.getBody());
        assertEquals(alice.jid(), m.getFrom().asBareJid());
    }

    @Test
    void demoAccountsCanLogIn() {
        Sandbox.Credentials demo = sandbox.demoUsers("DEMO_XMPP_USERS").get(0);
        XmppUsers.User u = users.login(demo.user(), demo.password());
        assertTrue(u.connection().isAuthenticated());
    }

    @Test
    void userCreatesAndJoinsMucWithMamAndAnotherUserSeesItsMessage() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        XmppUsers.User bob = users.registerAndLogin("bob");
        EntityBareJid room = JidCreate.entityBareFrom(Sandbox.uniqueName("room") + "@" + sandbox.get("XMPP_MUC_DOMAIN"));

        MultiUserChat aliceMuc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(room);
        // A new Prosody room stays locked (XEP-0045 status 201) until its owner submits a configuration.
        MultiUserChat.MucCreateConfigFormHandle created = aliceMuc.createOrJoin(Resourcepart.from("alice"));
        if (created != null) {
            created.makeInstant();
        }
        assertTrue(aliceMuc.isJoined());

        // mod_muc_mam on the MUC service (history for XMPP users)
        assertTrue(ServiceDiscoveryManager.getInstanceFor(alice.connection()).discoverInfo(room)
            .containsFeature("urn:xmpp:mam:2"), "room does not advertise MAM (urn:xmpp:mam:2)");

        MultiUserChat bobMuc = MultiUserChatManager.getInstanceFor(bob.connection()).getMultiUserChat(room);
        CompletableFuture<Message> got = new CompletableFuture<>();
        bobMuc.addMessageListener(m -> {
            if ("hi room".equals(m.getBody())) {
                got.complete(m);
            }
        });
        bobMuc.join(Resourcepart.from("bob"));

        aliceMuc.sendMessage("hi room");
        Message m = got.get(10, TimeUnit.SECONDS);
        assertEquals(room, m.getFrom().asBareJid());
        assertEquals("alice", m.getFrom().getResourceOrEmpty().toString());
        bobMuc.leave();
        aliceMuc.leave();
    }
}
