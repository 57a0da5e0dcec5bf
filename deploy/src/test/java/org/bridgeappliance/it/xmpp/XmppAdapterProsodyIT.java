package org.bridgeappliance.it.xmpp;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.adapter.xmpp.XmppAdapter;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.portal.DefaultPortalCoordinator;
import org.bridgeappliance.core.router.Router;
import org.bridgeappliance.core.router.RouterConfig;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The XMPP adapter against the sandbox's real Prosody, with the real core Router in-process and a fake
 * "matrix" network as the other side. The adapter connects as the sandbox's spare component
 * (XMPP_PROBE_COMPONENT_DOMAIN), so the running appliance keeps its own component connection.
 * XMPP users are independent Smack clients.
 */
class XmppAdapterProsodyIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final UserRef BOB = UserRef.of("matrix", "@bob:matrix.test");

    private final Sandbox sandbox = Sandbox.get();
    private final BridgeStores stores = InMemoryStores.create();
    private final FakeMatrixNetwork matrix = new FakeMatrixNetwork();
    private XmppAdapter xmpp;
    private Router router;
    private XmppUsers users;
    private String component;

    @BeforeEach
    void setUp() {
        users = new XmppUsers(sandbox);
        component = sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN");
    }

    private void startBridge() throws InterruptedException {
        var settings = new XmppSettings(true, sandbox.get("XMPP_HOST"), sandbox.getInt("XMPP_COMPONENT_PORT"),
                sandbox.get("XMPP_PROBE_COMPONENT_SECRET"), sandbox.get("XMPP_DOMAIN"), sandbox.get("XMPP_MUC_DOMAIN"),
                component, 1024 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMinutes(5), "Matrix bridge", true, 20);
        xmpp = new XmppAdapter(settings);
        // The fake Matrix network's rooms are on matrix.test (the bean would take bridge.matrix.server-name).
        xmpp.setLimits(org.bridgeappliance.adapter.xmpp.limits.XmppLimits.defaults().withMatrixServerName("matrix.test"));
        List<org.bridgeappliance.core.port.ProtocolAdapter> adapters = List.of(xmpp, matrix);
        router = new Router(stores, adapters, RouterConfig.defaults(), Clock.systemUTC(),
                new DefaultPortalCoordinator(stores.rooms(), adapters));
        router.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (xmpp.state().status() != AdapterState.Status.CONNECTED) {
            assertTrue(System.nanoTime() < deadline, "component not connected: " + xmpp.state());
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
    }

    @AfterEach
    void tearDown() {
        if (router != null) {
            router.close();
        }
        users.close();
    }

    private MessageEvent fromBob(Portal matrixPortal, String text) {
        return new MessageEvent(new EventMeta(matrixPortal, BOB, Profile.named("Bob"),
                Optional.of(RemoteMessageId.of("$" + Sandbox.uniqueName("ev"))), Instant.now()), MessageKind.TEXT,
                MessageBody.plain(text), List.of(), Optional.empty());
    }

    @Test
    void directChatBothWaysThroughProsody() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        startBridge();
        EntityBareJid puppet = JidCreate.entityBareFrom("bob%matrix.test@" + component);
        CompletableFuture<Message> reply = new CompletableFuture<>();
        alice.connection().addAsyncStanzaListener(s -> reply.complete((Message) s),
                s -> s instanceof Message m && m.getBody() != null && puppet.equals(m.getFrom().asBareJid()));

        Message hello = alice.connection().getStanzaFactory().buildMessageStanza().to(puppet).ofType(Message.Type.chat)
                .setBody("hello *bob*").build();
        alice.connection().sendStanza(hello);
        var delivered = matrix.await(d -> d.event() instanceof MessageEvent m && m.body().plain().equals("hello *bob*"),
                WAIT);
        MessageEvent in = (MessageEvent) delivered.event();
        assertEquals(UserRef.of("xmpp", alice.jid().toString()), in.sender());
        assertEquals(Optional.of("hello <strong>bob</strong>"), in.body().html());

        // The 1:1 room now exists; Bob answers from Matrix.
        BridgedRoom room = stores.rooms().findByPortal(in.origin()).orElseThrow();
        Portal matrixSide = room.portalOn(FakeMatrixNetwork.MATRIX).orElseThrow();
        assertEquals(EventIngress.Acceptance.QUEUED, matrix.submit(fromBob(matrixSide, "hi alice")));
        Message got = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("hi alice", got.getBody());
        assertEquals("Bob", got.getExtension(org.jivesoftware.smackx.nick.packet.Nick.class).getName(), "XEP-0172");
        assertEquals(Message.Type.chat, got.getType());
    }

    @Test
    void correctionsAndReactionSetsFromARealClient() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        startBridge();
        EntityBareJid puppet = JidCreate.entityBareFrom("bob%matrix.test@" + component);
        alice.connection().sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("orig-1").to(puppet).ofType(Message.Type.chat)
                .setBody("helo").build());
        matrix.await(d -> d.event() instanceof MessageEvent m && m.body().plain().equals("helo"), WAIT);

        // XEP-0308: the correction reaches the other network as an edit of its copy of the message.
        alice.connection().sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("fix-1").to(puppet).ofType(Message.Type.chat)
                .setBody("hello").addExtension(new org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension(
                        "orig-1")).build());
        var edit = matrix.await(d -> d.event() instanceof org.bridgeappliance.core.model.EditEvent, WAIT);
        assertEquals("hello", ((org.bridgeappliance.core.model.EditEvent) edit.event()).newBody().plain());
        assertTrue(edit.reference().isPresent(), "the edit refers to the copy on the other network");

        // XEP-0444 sends the whole set: {👍} adds one reaction, {} removes it again.
        alice.connection().sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("react-1").to(puppet).ofType(Message.Type.chat)
                .addExtension(reactions("orig-1", "👍")).build());
        var added = matrix.await(d -> d.event() instanceof org.bridgeappliance.core.model.ReactionEvent r && r.added(), WAIT);
        assertEquals("👍", ((org.bridgeappliance.core.model.ReactionEvent) added.event()).key());
        alice.connection().sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("react-2").to(puppet).ofType(Message.Type.chat)
                .addExtension(reactions("orig-1")).build());
        matrix.await(d -> d.event() instanceof org.bridgeappliance.core.model.ReactionEvent r && !r.added()
                && r.key().equals("👍"), WAIT);

        // A correction of a message the bridge never saw comes back as an error, not silence.
        CompletableFuture<Message> error = new CompletableFuture<>();
        alice.connection().addAsyncStanzaListener(st -> error.complete((Message) st),
                st -> st instanceof Message m && m.getType() == Message.Type.error && "fix-2".equals(m.getStanzaId()));
        alice.connection().sendStanza(org.jivesoftware.smack.packet.StanzaBuilder.buildMessage("fix-2").to(puppet).ofType(Message.Type.chat)
                .setBody("x").addExtension(new org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension(
                        "never-seen")).build());
        assertEquals(org.jivesoftware.smack.packet.StanzaError.Condition.item_not_found,
                error.get(WAIT.toSeconds(), TimeUnit.SECONDS).getError().getCondition());
    }

    private static org.jivesoftware.smack.packet.StandardExtensionElement reactions(String id, String... keys) {
        var b = org.jivesoftware.smack.packet.StandardExtensionElement.builder("reactions", "urn:xmpp:reactions:0")
                .addAttribute("id", id);
        for (String k : keys) {
            b.addElement(org.jivesoftware.smack.packet.StandardExtensionElement.builder("reaction", "urn:xmpp:reactions:0")
                    .setText(k).build());
        }
        return b.build();
    }

    @Test
    void mappedMucBothWaysWithOneListenerAndNoEcho() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        EntityBareJid roomJid = JidCreate.entityBareFrom(Sandbox.uniqueName("room") + "@" + sandbox.get("XMPP_MUC_DOMAIN"));
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(roomJid);
        muc.create(Resourcepart.from("alice")).makeInstant();
        Portal matrixSide = Portal.of("matrix", "!" + Sandbox.uniqueName("r") + ":matrix.test");
        stores.rooms().create("it room", List.of(Portal.of("xmpp", roomJid.toString()), matrixSide), true);
        startBridge();

        // The bridge's listener joins by itself.
        awaitOccupant(muc, "Matrix bridge");
        muc.sendMessage("hello matrix");
        var delivered = matrix.await(d -> d.event() instanceof MessageEvent m && m.body().plain().equals("hello matrix"),
                WAIT);
        // Prosody's default rooms are semi-anonymous: the real JID is hidden. Prosody 0.12 stamps XEP-0421
        // occupant-ids, so alice is her occupant-id's key in this room (not her nick, which someone else may take later).
        String sender = delivered.event().sender().user().value();
        assertTrue(sender.matches(java.util.regex.Pattern.quote(roomJid.toString()) + "#[0-9a-f]{24}"), sender);

        CompletableFuture<Message> fromBob = new CompletableFuture<>();
        muc.addMessageListener(m -> {
            if ("hi from matrix".equals(m.getBody())) {
                fromBob.complete(m);
            }
        });
        assertEquals(EventIngress.Acceptance.QUEUED, matrix.submit(fromBob(matrixSide, "hi from matrix")));
        Message seen = fromBob.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("Bob", seen.getFrom().getResourceOrEmpty().toString());

        // A second message from alice: still exactly one copy each (two bridge occupants are in the room now),
        // and bob's own message never came back to the fake network.
        muc.sendMessage("second");
        matrix.await(d -> d.event() instanceof MessageEvent m && m.body().plain().equals("second"), WAIT);
        long copies = matrix.deliveries().stream().filter(d -> d.event() instanceof MessageEvent m
                && (m.body().plain().equals("hello matrix") || m.body().plain().equals("second"))).count();
        assertEquals(2, copies);
        assertTrue(matrix.deliveries().stream().noneMatch(d -> d.event() instanceof MessageEvent m
                && m.body().plain().equals("hi from matrix")), "echo of the bridge's own message");

        // Shutting down, every bridge occupant leaves the room.
        router.close();
        router = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (muc.getOccupants().size() > 1) {
            assertTrue(System.nanoTime() < deadline, "bridge occupants left behind: " + muc.getOccupants());
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
    }

    @Test
    void gatewayRoomJoinableFromAnyClientWithHistory() throws Exception {
        XmppUsers.User alice = users.registerAndLogin("alice");
        XmppUsers.User carl = users.registerAndLogin("carl");
        startBridge();
        // An uppercase alias (#Lobby...:matrix.test): escaped case-safely, since nodeprep lowercases localparts.
        String name = "obby" + Sandbox.uniqueName("x");
        EntityBareJid gateway = JidCreate.entityBareFrom("#\\4c" + name + "%matrix.test@" + component);
        MultiUserChat aliceMuc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(gateway);
        aliceMuc.join(Resourcepart.from("alice"));
        // The join created the room mapping through the coordinator (the alias resolved on the other network).
        BridgedRoom room = stores.rooms().findByPortal(Portal.of("xmpp", gateway.toString())).orElseThrow();
        assertEquals(List.of("#L" + name + ":matrix.test"), matrix.resolved);
        Portal matrixSide = room.portalOn(FakeMatrixNetwork.MATRIX).orElseThrow();

        CompletableFuture<Message> seen = new CompletableFuture<>();
        aliceMuc.addMessageListener(m -> {
            if ("welcome from matrix".equals(m.getBody())) {
                seen.complete(m);
            }
        });
        assertEquals(EventIngress.Acceptance.QUEUED, matrix.submit(fromBob(matrixSide, "welcome from matrix")));
        assertEquals("Bob", seen.get(WAIT.toSeconds(), TimeUnit.SECONDS).getFrom().getResourceOrEmpty().toString());

        aliceMuc.sendMessage("hello lobby");
        var delivered = matrix.await(d -> d.event() instanceof MessageEvent m && m.body().plain().equals("hello lobby"),
                WAIT);
        assertEquals(UserRef.of("xmpp", alice.jid().toString()), delivered.event().sender());

        // A later joiner gets the history (XEP-0045 §7.2.15) and sees bob and alice as occupants.
        CompletableFuture<Message> history = new CompletableFuture<>();
        MultiUserChat carlMuc = MultiUserChatManager.getInstanceFor(carl.connection()).getMultiUserChat(gateway);
        carlMuc.addMessageListener(m -> {
            if ("hello lobby".equals(m.getBody())) {
                history.complete(m);
            }
        });
        carlMuc.join(Resourcepart.from("carl"));
        Message old = history.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(org.jivesoftware.smackx.delay.packet.DelayInformation.from(old), "history carries a delay stamp");
        assertTrue(carlMuc.getOccupants().stream().anyMatch(o -> o.getResourceOrEmpty().toString().equals("Bob")),
                carlMuc.getOccupants().toString());
    }

    private static void awaitOccupant(MultiUserChat muc, String nick) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (muc.getOccupants().stream().noneMatch(o -> nick.equals(o.getResourceOrEmpty().toString()))) {
            assertTrue(System.nanoTime() < deadline, nick + " did not join: " + muc.getOccupants());
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
    }

    @SuppressWarnings("unused")
    private static boolean isChat(Stanza s) {
        return MessageTypeFilter.CHAT.accept(s);
    }
}
