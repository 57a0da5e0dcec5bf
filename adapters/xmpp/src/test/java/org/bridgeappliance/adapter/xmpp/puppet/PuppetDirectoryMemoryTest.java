package org.bridgeappliance.adapter.xmpp.puppet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.testing.LimitsBuilder;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** Issue 9 item 8: puppet profiles held in memory are capped (max-tracked-users); the store keeps the rest. */
class PuppetDirectoryMemoryTest {
    @Test
    void puppetProfilesHeldInMemoryStayWithinTheCap() {
        LimitsBuilder b = new LimitsBuilder();
        b.maxTrackedUsers = 100;
        XmppLimits limits = b.build();
        PuppetDirectory puppets = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"),
                InMemoryStores.create().puppets(), Network.of("xmpp"), Clock.systemUTC(), List.of(), limits);
        try {
            for (int i = 0; i < 5_000; i++) {
                puppets.ensure(UserRef.of("matrix", "@p" + i + ":matrix.test"), Profile.named("P" + i));
            }
            assertTrue(puppets.cachedProfiles() <= 100, "cached " + puppets.cachedProfiles());
            assertEquals(Optional.of("P0"), puppets.profile(UserRef.of("matrix", "@p0:matrix.test")).displayName(),
                    "an evicted profile is read from the store again");
        } finally {
            puppets.close();
        }
    }
}
