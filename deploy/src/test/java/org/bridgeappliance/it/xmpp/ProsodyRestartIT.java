package org.bridgeappliance.it.xmpp;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.it.harness.Sandbox;
import org.bridgeappliance.it.harness.XmppUsers;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.mam.MamManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Prosody restarted in the middle of a conversation in a mapped MUC: the real Router and XMPP adapter run in-process
 * (component {@code XMPP_PROBE_COMPONENT_DOMAIN}, like {@link XmppAdapterProsodyIT}), a {@link FakeMatrixNetwork} is
 * the other side and keeps sending through the outage, two Smack users talk in the room and reconnect after the
 * restart — and talk before the bridge's component is let back in (it reaches Prosody through a {@link TcpGate}), so
 * the rejoining listener has to catch up on them. Checked: the component reconnects, the listener and the puppet
 * rejoin, nothing sent around the outage is
 * lost or duplicated in either direction — the other side's messages reach the room exactly once (the room's MAM
 * archive is the record), the XMPP users' messages reach the other side exactly once (the fake network's deliveries).
 *
 * <p>The room is persistent (muc#roomconfig_persistentroom), as bridged rooms of a real deployment are; it is
 * destroyed at the end. Prosody is always running again when the test ends.
 */
class ProsodyRestartIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final UserRef BOB = UserRef.of("matrix", "@bob:matrix.test");
    static final long TICK_MS = 250;

    private final Sandbox sandbox = Sandbox.get();
    private final SandboxProsody prosody = new SandboxProsody(sandbox);
    private final BridgeStores stores = InMemoryStores.create();
    private final FakeMatrixNetwork matrix = new FakeMatrixNetwork();

    @Test
    void restartMidConversationLosesAndDuplicatesNothing() throws Exception {
        String component = sandbox.get("XMPP_PROBE_COMPONENT_DOMAIN");
        EntityBareJid roomJid = JidCreate.entityBareFrom(Sandbox.uniqueName("restart") + "@"
                + sandbox.get("XMPP_MUC_DOMAIN"));
        Portal matrixSide = Portal.of("matrix", "!" + Sandbox.uniqueName("r") + ":matrix.test");
        Router router = null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        XmppUsers users = new XmppUsers(sandbox);
        MultiUserChat owner = null;
        // The component reaches Prosody through a gate, so the test decides when it may reconnect.
        TcpGate gate = new TcpGate(sandbox.get("XMPP_HOST"), sandbox.getInt("XMPP_COMPONENT_PORT"));
        boolean applianceWasConnected = prosody.applianceXmppStatus().map("CONNECTED"::equals).orElse(false);
        try {
            XmppUsers.User alice = users.registerAndLogin("alice");
            XmppUsers.User carl = users.registerAndLogin("carl");
            MultiUserChat aliceMuc = MultiUserChatManager.getInstanceFor(alice.connection()).getMultiUserChat(roomJid);
            aliceMuc.create(Resourcepart.from("alice"));
            FillableForm form = aliceMuc.getConfigurationForm().getFillableForm();
            form.setAnswer("muc#roomconfig_persistentroom", true);
            aliceMuc.sendConfigurationForm(form);
            owner = aliceMuc;
            MultiUserChatManager.getInstanceFor(carl.connection()).getMultiUserChat(roomJid)
                    .join(Resourcepart.from("carl"));
            stores.rooms().create("restart room", List.of(Portal.of("xmpp", roomJid.toString()), matrixSide), true);

            // Short backoffs keep the test fast; the code paths are the production ones.
            var settings = new XmppSettings(true, "127.0.0.1", gate.port(),
                    sandbox.get("XMPP_PROBE_COMPONENT_SECRET"), sandbox.get("XMPP_DOMAIN"),
                    sandbox.get("XMPP_MUC_DOMAIN"), component, 1024 * 1024, Duration.ofSeconds(30),
                    Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10),
                    Duration.ofMinutes(5), "Matrix bridge", true, 20);
            XmppAdapter xmpp = new XmppAdapter(settings);
            List<org.bridgeappliance.core.port.ProtocolAdapter> adapters = List.of(xmpp, matrix);
            router = new Router(stores, adapters,
                    new RouterConfig(30, Duration.ofMillis(200), Duration.ofSeconds(2), 1000, Duration.ofSeconds(10)),
                    Clock.systemUTC(), new DefaultPortalCoordinator(stores.rooms(), adapters));
            router.start();
            await("component connected", () -> connected(xmpp), WAIT);
            await("the bridge's listener in the room", () -> hasOccupant(aliceMuc, "Matrix bridge"), WAIT);

            // Before: one message each way (the puppet "Bob" joins with the first).
            aliceMuc.sendMessage("before alice");
            assertEquals(EventIngress.Acceptance.QUEUED, matrix.submit(fromBob(matrixSide, "before bob")));
            matrix.await(d -> body(d).equals("before alice"), WAIT);
            await("Bob's puppet in the room", () -> hasOccupant(aliceMuc, "Bob"), WAIT);

            // The other side keeps talking, one message every 250 ms, through the whole restart.
            List<String> bobSent = new CopyOnWriteArrayList<>();
            // per phase: 0 all up, 1 from the stop until the component is back, 2 afterwards
            java.util.concurrent.atomic.AtomicIntegerArray perPhase = new java.util.concurrent.atomic.AtomicIntegerArray(3);
            AtomicInteger phase = new AtomicInteger();
            AtomicReference<Throwable> tickFailure = new AtomicReference<>();
            AtomicInteger n = new AtomicInteger();
            ticker.scheduleAtFixedRate(() -> {
                try {
                    int now = phase.get();
                    String text = "bob #" + n.incrementAndGet();
                    EventIngress.Acceptance a = matrix.submit(fromBob(matrixSide, text));
                    if (a != EventIngress.Acceptance.QUEUED) {
                        throw new AssertionError(text + " not queued: " + a);
                    }
                    bobSent.add(text);
                    perPhase.incrementAndGet(now);
                } catch (Throwable t) {
                    tickFailure.compareAndSet(null, t);
                }
            }, 0, TICK_MS, TimeUnit.MILLISECONDS);
            await("two messages while all is up", () -> bobSent.size() >= 2, WAIT);

            Instant stopped = Instant.now();
            phase.set(1);
            gate.open(false);
            prosody.stop();
            await("the adapter notices the outage", () -> !connected(xmpp), WAIT);
            int atNoticed = bobSent.size();
            await("four messages while Prosody is down", () -> bobSent.size() >= atNoticed + 4, WAIT);
            prosody.start();
            Instant started = Instant.now();

            // The XMPP users reconnect (new streams, same resource), rejoin and talk before the bridge is back: the
            // listener must catch up on these when it rejoins (history since its last relayed message).
            XmppUsers.User alice2 = users.login(alice.localpart(), alice.password());
            XmppUsers.User carl2 = users.login(carl.localpart(), carl.password());
            MultiUserChat alice2Muc = MultiUserChatManager.getInstanceFor(alice2.connection()).getMultiUserChat(roomJid);
            MultiUserChat carl2Muc = MultiUserChatManager.getInstanceFor(carl2.connection()).getMultiUserChat(roomJid);
            alice2Muc.join(alice2Muc.getEnterConfigurationBuilder(Resourcepart.from("alice")).requestNoHistory().build());
            carl2Muc.join(carl2Muc.getEnterConfigurationBuilder(Resourcepart.from("carl")).requestNoHistory().build());
            owner = alice2Muc;
            List<String> xmppSent = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                alice2Muc.sendMessage("early alice #" + i);
                xmppSent.add("early alice #" + i);
                carl2Muc.sendMessage("early carl #" + i);
                xmppSent.add("early carl #" + i);
            }
            List<String> early = List.copyOf(xmppSent);
            await("the early messages archived by the room", () -> archive(alice2Muc).stream().map(e -> e[1]).toList()
                    .containsAll(early), WAIT);
            assertFalse(connected(xmpp), "the component must still be away while the users talk");
            gate.open(true);
            await("component reconnected", () -> connected(xmpp), WAIT);
            Instant reconnected = Instant.now();
            phase.set(2);
            for (int i = 1; i <= 3; i++) {
                alice2Muc.sendMessage("after alice #" + i);
                xmppSent.add("after alice #" + i);
                carl2Muc.sendMessage("after carl #" + i);
                xmppSent.add("after carl #" + i);
            }
            await("three of Bob's after the component's return", () -> perPhase.get(2) >= 3, WAIT);
            ticker.shutdown();
            assertTrue(ticker.awaitTermination(5, TimeUnit.SECONDS));
            assertNull(tickFailure.get(), () -> "sending from the other side failed: " + tickFailure.get());
            System.err.printf("[ProsodyRestartIT] stop->start %d ms, start->component let back in and connected %d ms;"
                    + " Bob sent %d (%d before the stop, %d from the stop until the component was back, %d after)%n",
                    Duration.between(stopped, started).toMillis(), Duration.between(started, reconnected).toMillis(),
                    bobSent.size(), perPhase.get(0), perPhase.get(1), perPhase.get(2));
            assertTrue(perPhase.get(1) >= 4, "messages from the other side during the outage");

            // XMPP -> other side: every message of the XMPP users exactly once.
            for (String text : xmppSent) {
                matrix.await(d -> body(d).equals(text), WAIT);
            }
            awaitQuiet();
            Map<String, Integer> delivered = new LinkedHashMap<>();
            for (var d : matrix.deliveries()) {
                if (d.event() instanceof MessageEvent) {
                    delivered.merge(body(d), 1, Integer::sum);
                }
            }
            List<String> expectedOnMatrix = new ArrayList<>(List.of("before alice"));
            expectedOnMatrix.addAll(xmppSent);
            Map<String, Integer> once = new LinkedHashMap<>();
            expectedOnMatrix.forEach(t -> once.put(t, 1));
            assertEquals(once, delivered, "what reached the other side (each once, nothing else: no echo of Bob's)");

            // Other side -> XMPP: every message of Bob's exactly once in the room's archive, in order.
            List<String> expectedInRoom = new ArrayList<>(List.of("before bob"));
            expectedInRoom.addAll(bobSent);
            await("all of Bob's messages archived in the room",
                    () -> bobBodies(alice2Muc).containsAll(expectedInRoom), Duration.ofSeconds(60));
            awaitQuiet();
            assertEquals(expectedInRoom, bobBodies(alice2Muc), "Bob's messages in the room: each once, in order");

            // The bridge is back in the room: its listener (elected again) and the puppet.
            await("listener and puppet rejoined", () -> hasOccupant(alice2Muc, "Matrix bridge")
                    && hasOccupant(alice2Muc, "Bob"), WAIT);
            assertEquals(Optional.of(JidCreate.from(component + "/muc-listener")),
                    xmpp.mucs().listener(roomJid.toString()));

            // Stopping the bridge, its occupants leave.
            router.close();
            router = null;
            await("bridge occupants left", () -> !hasOccupant(alice2Muc, "Matrix bridge")
                    && !hasOccupant(alice2Muc, "Bob"), WAIT);
        } finally {
            ticker.shutdownNow();
            if (router != null) {
                router.close();
            }
            // Whatever happened: Prosody runs again (a no-op if it does), and the persistent room goes away.
            prosody.start();
            if (applianceWasConnected) {
                prosody.awaitApplianceXmppConnected(Duration.ofSeconds(60));
            }
            gate.close();
            destroyQuietly(owner);
            users.close();
        }
    }

    private static boolean connected(XmppAdapter xmpp) {
        return xmpp.state().status() == AdapterState.Status.CONNECTED;
    }

    private static String body(org.bridgeappliance.core.port.Delivery d) {
        return d.event() instanceof MessageEvent m ? m.body().plain() : "";
    }

    /** Bodies of the room's archived messages from Bob's puppet, oldest first. */
    private static List<String> bobBodies(MultiUserChat muc) {
        return archive(muc).stream().filter(e -> "Bob".equals(e[0])).map(e -> e[1]).toList();
    }

    /** The room's archived messages as {nick, body}, oldest first (XEP-0313 query on the room); empty on failure. */
    private static List<String[]> archive(MultiUserChat muc) {
        try {
            MamManager mam = MamManager.getInstanceFor(muc);
            MamManager.MamQuery q = mam.queryArchive(MamManager.MamQueryArgs.builder().setResultPageSizeTo(50).build());
            List<Message> all = new ArrayList<>(q.getMessages());
            int pages = 0;
            while (!q.isComplete() && pages++ < 20) {
                all.addAll(q.pageNext(50));
            }
            List<String[]> out = new ArrayList<>();
            for (Message m : all) {
                if (m.getBody() != null && m.getFrom() != null) {
                    out.add(new String[] {m.getFrom().getResourceOrEmpty().toString(), m.getBody()});
                }
            }
            return out;
        } catch (Exception e) {
            return Collections.emptyList(); // polled again until the deadline
        }
    }

    /** Lets stragglers (a duplicate would be one) arrive: waits until nothing new was delivered for 1.5 s. */
    private void awaitQuiet() {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int now = matrix.deliveries().size();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > Duration.ofMillis(1500).toNanos()) {
                return;
            }
            LockSupport.parkNanos(50_000_000L); // poll, bounded by the deadline
        }
        fail("deliveries did not settle within 15 s");
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

    private static void destroyQuietly(MultiUserChat muc) {
        if (muc == null) {
            return;
        }
        try {
            if (muc.isJoined()) {
                muc.destroy("test over", null);
            }
        } catch (Exception e) {
            System.err.println("[ProsodyRestartIT] could not destroy " + muc.getRoom() + ": " + e);
        }
    }

    private MessageEvent fromBob(Portal matrixPortal, String text) {
        return new MessageEvent(new EventMeta(matrixPortal, BOB, Profile.named("Bob"),
                Optional.of(RemoteMessageId.of("$" + Sandbox.uniqueName("ev"))), Instant.now()), MessageKind.TEXT,
                MessageBody.plain(text), List.of(), Optional.empty());
    }
}
