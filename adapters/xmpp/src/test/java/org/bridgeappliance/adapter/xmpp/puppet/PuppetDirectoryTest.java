package org.bridgeappliance.adapter.xmpp.puppet;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.time.Clock;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

class PuppetDirectoryTest {
    final BridgeStores stores = InMemoryStores.create();
    final PuppetDirectory puppets = new PuppetDirectory(new PuppetAddressing("matrix.xmpp.test"), stores.puppets(),
            Network.of("xmpp"), Clock.systemUTC());
    final UserRef bob = UserRef.of("matrix", "@Bob:matrix.test");

    @Test
    void puppetsAreRecordedWithTheirProfileAndKeepItWhenAnEventCarriesNone() {
        assertEquals("\\42ob%matrix.test@matrix.xmpp.test", puppets.ensure(bob, Profile.named("Bob B.")).toString());
        var stored = stores.puppets().find(bob, Network.of("xmpp")).orElseThrow();
        assertEquals("\\42ob%matrix.test@matrix.xmpp.test", stored.puppetId().value());
        assertEquals(Optional.of("Bob B."), stored.profile().displayName());
        puppets.ensure(bob, Profile.EMPTY);
        assertEquals(Optional.of("Bob B."), stores.puppets().find(bob, Network.of("xmpp")).orElseThrow().profile()
                .displayName());
        assertEquals("Bob B.", puppets.vcard(bob).getField("FN"));
    }

    @Test
    void displayNameFallsBackToTheLocalpart() {
        assertEquals("Bob", PuppetDirectory.displayName(bob, Profile.EMPTY));
    }

    @Test
    void anMxcAvatarIsNotFetchedHere() {
        // Internal and rebinding addresses: PuppetDirectoryAvatarFetchTest.
        // An mxc: avatar cannot be fetched here: the photo hash element is present but empty (XEP-0153 "no photo yet").
        puppets.ensure(bob, new Profile(Optional.of("Bob"), Optional.of(URI.create("mxc://matrix.test/abc"))));
        assertTrue(puppets.photoUpdate(bob).toXML().toString().contains("<photo"));
    }

    @Test
    void vcardUrlLinksToThePersonOnTheirOwnNetwork() {
        assertEquals(Optional.of("https://matrix.to/#/@carol:matrix.test"),
                PuppetDirectory.profileUrl("@carol:matrix.test"));
        assertEquals(Optional.of("sip:erin@sip.test"), PuppetDirectory.profileUrl("sip:erin@sip.test"),
                "a SIP person's vCard links to their SIP URI, not to matrix.to");
        assertEquals(Optional.empty(), PuppetDirectory.profileUrl("fourth-user-7"));
    }
}
