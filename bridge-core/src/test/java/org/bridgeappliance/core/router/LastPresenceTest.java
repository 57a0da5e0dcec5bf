package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AddressSyntax;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.core.testing.RecordingAdapter;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.api.Test;

/** Current presence kept in the core (PresenceDirectory), fed by the presence the router accepts. */
class LastPresenceTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Portal X = Portal.of("xmpp", "room@muc.example");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static PresenceEvent presence(String network, String user, Presence p, Instant at) {
        return new PresenceEvent(UserRef.of(network, user), p, Optional.empty(), Profile.EMPTY, at);
    }

    @Test
    void adaptersAskTheCoreForThePresenceItRouted() {
        RecordingAdapter xmpp = new RecordingAdapter("xmpp").withBridgeUser("puppet@bridge");
        RecordingAdapter sip = new RecordingAdapter("sip");
        try (Router router = new Router(InMemoryStores.create(), List.of(xmpp, sip), RouterConfig.defaults(),
                Clock.systemUTC())) {
            router.start();
            UserRef alice = TestEvents.in(X).sender();
            assertEquals(Optional.empty(), sip.context().presence().lastKnown(alice), "nothing known yet");
            router.submit(TestEvents.in(X).presence(Presence.AWAY));
            sip.awaitPresences(1, T);
            assertEquals(Presence.AWAY, sip.context().presence().lastKnown(alice).orElseThrow().presence());
            router.submit(TestEvents.in(X).presence(Presence.DO_NOT_DISTURB));
            assertEquals(Presence.DO_NOT_DISTURB, router.presence().lastKnown(alice).orElseThrow().presence());
            // The bridge's own puppets are echoes: not recorded.
            router.submit(presence("xmpp", "puppet@bridge", Presence.AVAILABLE, T0));
            assertEquals(Optional.empty(), router.presence().lastKnown(UserRef.of("xmpp", "puppet@bridge")));
        }
    }

    @Test
    void boundedAndNewestWinsUnderTheCanonicalId() {
        AddressSyntax lower = new AddressSyntax() {
            @Override
            public Parsed room(String address) {
                return Parsed.valid(address.toLowerCase(Locale.ROOT));
            }

            @Override
            public Parsed user(String address) {
                return Parsed.valid(address.toLowerCase(Locale.ROOT));
            }
        };
        Addressing addressing = n -> n.value().equals("xmpp") ? Optional.of(lower) : Optional.empty();
        LastPresence memory = new LastPresence(addressing, 3);
        memory.record(presence("xmpp", "Bob@X.test", Presence.AWAY, T0.plusSeconds(10)));
        memory.record(presence("xmpp", "bob@x.test", Presence.AVAILABLE, T0)); // older: overtaken, ignored
        assertEquals(Presence.AWAY, memory.lastKnown(UserRef.of("xmpp", "BOB@x.test")).orElseThrow().presence());

        for (int i = 0; i < 10; i++) {
            memory.record(presence("matrix", "@u" + i + ":m", Presence.AVAILABLE, T0));
        }
        assertEquals(3, memory.size(), "bounded");
        assertTrue(memory.lastKnown(UserRef.of("matrix", "@u9:m")).isPresent());
        assertEquals(Optional.empty(), memory.lastKnown(UserRef.of("xmpp", "bob@x.test")), "least recent forgotten");
    }
}
