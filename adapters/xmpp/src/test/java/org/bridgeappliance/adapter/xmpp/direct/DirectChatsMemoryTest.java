package org.bridgeappliance.adapter.xmpp.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.avatar.XmppAvatars;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.ingress.XmppIngress;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.provision.Provisioner;
import org.bridgeappliance.adapter.xmpp.testing.LimitsBuilder;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** Issue 9 item 8: what 1:1 chats remember per remote person is capped (max-tracked-users). */
class DirectChatsMemoryTest {
    static final Network XMPP = Network.of("xmpp");
    final BridgeStores stores = InMemoryStores.create();
    final AtomicInteger submitted = new AtomicInteger();
    final StanzaSender sender = new StanzaSender() {
        @Override
        public void send(Stanza stanza) {
        }

        @Override
        public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
            return new CompletableFuture<>();
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    };
    final XmppLimits limits = capped(100);
    final PuppetDirectory puppets = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), stores.puppets(),
            XMPP, Clock.systemUTC(), List.of(), limits);
    final XmppAvatars avatars = new XmppAvatars(Optional.empty(), sender, Clock.systemUTC(), XmppAvatars.NEGATIVE_TTL,
            XmppAvatars.FETCH_TIMEOUT, XmppAvatars.CACHE_BYTES, p -> Optional.empty(), "xmpp");
    final Provisioner provisioner = new Provisioner(limits, Runnable::run, Clock.systemUTC());
    final DirectChats directs = new DirectChats(sender, puppets, new XmppInboundConverter(), new XmppOutboundConverter(),
            new XmppIngress(e -> {
                submitted.incrementAndGet();
                return EventIngress.Acceptance.QUEUED;
            }, stores), stores, PortalCoordinator.NONE, XMPP, Clock.systemUTC(), avatars, limits, provisioner);

    static XmppLimits capped(int users) {
        LimitsBuilder b = new LimitsBuilder();
        b.maxTrackedUsers = users;
        return b.build();
    }

    @AfterEach
    void tearDown() {
        provisioner.close();
        puppets.close();
        avatars.close();
    }

    @Test
    void presencesOfManyXmppUsersAndPuppetsLeaveAtMostTheCapInMemory() throws Exception {
        UserRef bob = UserRef.of("matrix", "@bob:matrix.test");
        for (int i = 0; i < 5_000; i++) {
            Presence p = StanzaBuilder.buildPresence().from(JidCreate.from("user" + i + "@xmpp.test/r"))
                    .to(JidCreate.from("bob%matrix.test@matrix.xmpp.test")).setStatus("s" + i).build();
            directs.onPresence(p, bob);
            directs.presence(UserRef.of("matrix", "@m" + i + ":matrix.test"), Presence.Mode.available,
                    Optional.empty(), false);
        }
        assertEquals(5_000, submitted.get(), "every presence still reaches the core");
        assertTrue(directs.remembered() <= 100, "remembered " + directs.remembered());
    }
}
