package org.bridgeappliance.it.xmpp;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
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
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Interop smoke test of the XMPP adapter against a second server, ejabberd 23.01 (Debian), started by the test on
 * its own loopback ports with its own domain ({@link EjabberdServer}); the real Router runs in-process with a
 * {@link FakeMatrixNetwork} as the other side, the XMPP user is an independent Smack client. Checked: the XEP-0114
 * handshake, a 1:1 message both ways, a mapped MUC (the listener joins, messages relayed both ways), every bridge
 * occupant leaving when the bridge stops; then ejabberd stops and no process of it is left.
 */
class EjabberdSmokeIT {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final UserRef BOB = UserRef.of("matrix", "@bob:matrix.test");

    private final Sandbox sandbox = Sandbox.get();

    @Test
    void handshakeDirectChatMucRelayAndLeavingAgainstEjabberd() throws Exception {
        long t0 = System.nanoTime();
        EjabberdServer ej = EjabberdServer.start(sandbox);
        long started = System.nanoTime();
        Router router = null;
        XMPPTCPConnection alice = null;
        try {
            String aliceName = Sandbox.uniqueName("alice");
            alice = connection(ej);
            alice.connect();
            AccountManager am = AccountManager.getInstance(alice);
            am.sensitiveOperationOverInsecureConnection(true); // loopback only, no TLS in the test server
            am.createAccount(Localpart.from(aliceName), "pw-" + aliceName);
            alice.login(aliceName, "pw-" + aliceName, Resourcepart.from("test"));
            EntityBareJid aliceJid = JidCreate.entityBareFrom(aliceName + "@" + ej.domain);

            EntityBareJid roomJid = JidCreate.entityBareFrom(Sandbox.uniqueName("room") + "@" + ej.mucDomain);
            MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(roomJid);
            muc.create(Resourcepart.from("alice")).makeInstant();
            BridgeStores stores = InMemoryStores.create();
            FakeMatrixNetwork matrix = new FakeMatrixNetwork();
            Portal matrixRoom = Portal.of("matrix", "!" + Sandbox.uniqueName("r") + ":matrix.test");
            stores.rooms().create("ejabberd room", List.of(Portal.of("xmpp", roomJid.toString()), matrixRoom), true);

            // Handshake: the component connects (SHA-1 of stream id + secret, XEP-0114).
            var settings = new XmppSettings(true, "127.0.0.1", ej.componentPort, ej.componentSecret, ej.domain,
                    ej.mucDomain, ej.componentDomain, 1024 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10),
                    Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMinutes(5),
                    "Matrix bridge", true, 20);
            XmppAdapter xmpp = new XmppAdapter(settings);
            List<org.bridgeappliance.core.port.ProtocolAdapter> adapters = List.of(xmpp, matrix);
            router = new Router(stores, adapters, RouterConfig.defaults(), Clock.systemUTC(),
                    new DefaultPortalCoordinator(stores.rooms(), adapters));
            router.start();
            await("component handshake with ejabberd", () -> xmpp.state().status() == AdapterState.Status.CONNECTED,
                    WAIT);

            // 1:1 both ways with the puppet of @bob:matrix.test.
            EntityBareJid puppet = JidCreate.entityBareFrom("bob%matrix.test@" + ej.componentDomain);
            CompletableFuture<Message> reply = new CompletableFuture<>();
            alice.addAsyncStanzaListener(s -> reply.complete((Message) s), s -> s instanceof Message m
                    && m.getBody() != null && m.getType() == Message.Type.chat && puppet.equals(m.getFrom().asBareJid()));
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(puppet).ofType(Message.Type.chat)
                    .setBody("hello bob via ejabberd").build());
            var dm = matrix.await(d -> body(d).equals("hello bob via ejabberd"), WAIT);
            assertEquals(UserRef.of("xmpp", aliceJid.toString()), dm.event().sender());
            BridgedRoom dmRoom = stores.rooms().findByPortal(dm.event().origin()).orElseThrow();
            assertEquals(EventIngress.Acceptance.QUEUED,
                    matrix.submit(fromBob(dmRoom.portalOn(FakeMatrixNetwork.MATRIX).orElseThrow(), "hi alice")));
            Message got = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("hi alice", got.getBody());

            // MUC: the listener joins by itself; relaying both ways, one copy each.
            await("the bridge's listener in the room", () -> hasOccupant(muc, "Matrix bridge"), WAIT);
            CompletableFuture<Message> fromBob = new CompletableFuture<>();
            muc.addMessageListener(m -> {
                if ("hi room from matrix".equals(m.getBody())) {
                    fromBob.complete(m);
                }
            });
            muc.sendMessage("hello room from ejabberd");
            var relayed = matrix.await(d -> body(d).equals("hello room from ejabberd"), WAIT);
            assertEquals(matrixRoom, relayed.target());
            assertEquals(EventIngress.Acceptance.QUEUED, matrix.submit(fromBob(matrixRoom, "hi room from matrix")));
            assertEquals("Bob", fromBob.get(WAIT.toSeconds(), TimeUnit.SECONDS).getFrom().getResourceOrEmpty()
                    .toString());
            muc.sendMessage("second");
            matrix.await(d -> body(d).equals("second"), WAIT);
            assertEquals(1, matrix.deliveries().stream().filter(d -> body(d).equals("hello room from ejabberd")).count(),
                    "one copy although two bridge occupants are in the room");
            assertTrue(matrix.deliveries().stream().noneMatch(d -> body(d).equals("hi room from matrix")),
                    "echo of the bridge's own message");

            // Stopping the bridge: every bridge occupant leaves the room.
            router.close();
            router = null;
            await("bridge occupants left", () -> muc.getOccupants().size() == 1, WAIT);
            System.err.printf("[EjabberdSmokeIT] ejabberd ready in %d ms; test body %d ms%n",
                    (started - t0) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
        } finally {
            if (router != null) {
                router.close();
            }
            if (alice != null && alice.isConnected()) {
                alice.disconnect();
            }
            ej.close();
        }
        assertTrue(ej.ours().isEmpty(), () -> "ejabberd processes left: " + ej.ours());
        assertFalse(ej.listening(), "ejabberd still listens");
    }

    private static XMPPTCPConnection connection(EjabberdServer ej) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(ej.domain).setHostAddress(InetAddress.getByName("127.0.0.1")).setPort(ej.c2sPort)
                .setSecurityMode(SecurityMode.disabled).setConnectTimeout(10_000).build());
        c.setReplyTimeout(10_000);
        return c;
    }

    private static String body(org.bridgeappliance.core.port.Delivery d) {
        return d.event() instanceof MessageEvent m ? m.body().plain() : "";
    }

    private static boolean hasOccupant(MultiUserChat muc, String nick) {
        return muc.getOccupants().stream().anyMatch(o -> nick.equals(o.getResourceOrEmpty().toString()));
    }

    private static void await(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + timeout);
            }
            LockSupport.parkNanos(20_000_000L); // poll, bounded by the deadline
        }
    }

    private static MessageEvent fromBob(Portal portal, String text) {
        return new MessageEvent(new EventMeta(portal, BOB, Profile.named("Bob"),
                Optional.of(RemoteMessageId.of("$" + Sandbox.uniqueName("ev"))), Instant.now()), MessageKind.TEXT,
                MessageBody.plain(text), List.of(), Optional.empty());
    }
}
