package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PuppetStoreTest {
    private static final Network MATRIX = Network.of("matrix");
    private static final Network XMPP = Network.of("xmpp");
    private static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    private static final UserRef BOB = UserRef.of("xmpp", "bob@example.org");
    private static final Instant T1 = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2024-05-02T10:00:00Z");

    private MappingDatabase db;
    private PuppetStore puppets;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        puppets = db.stores().puppets();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void saveInsertsThenUpdates() {
        Puppet first = new Puppet(ALICE, MATRIX, RemoteUserId.of("@_xmpp_alice=40example.org:example.org"),
                Profile.named("Alice"), T1);
        puppets.save(first);
        assertEquals(Optional.of(first), puppets.find(ALICE, MATRIX));
        assertEquals(Optional.of(first), puppets.findByPuppetId(MATRIX, first.puppetId()));
        assertEquals(Optional.empty(), puppets.find(ALICE, Network.of("sip")));

        Puppet renamed = new Puppet(ALICE, MATRIX, first.puppetId(),
                new Profile(Optional.of("Alice B."), Optional.of(URI.create("mxc://example.org/abc"))), T2);
        puppets.save(renamed);
        assertEquals(Optional.of(renamed), puppets.find(ALICE, MATRIX));
        assertEquals(1, puppets.search("", 0, 10).size());

        Puppet cleared = new Puppet(ALICE, MATRIX, first.puppetId(), Profile.EMPTY, T2);
        puppets.save(cleared);
        assertEquals(Optional.of(cleared), puppets.find(ALICE, MATRIX));
    }

    @Test
    void aPuppetIdOfAnotherPersonIsAConflict() {
        RemoteUserId id = RemoteUserId.of("@_xmpp_x:example.org");
        puppets.save(new Puppet(ALICE, MATRIX, id, Profile.EMPTY, T1));

        assertThrows(StoreConflictException.class, () -> puppets.save(new Puppet(BOB, MATRIX, id, Profile.EMPTY, T1)));
        assertEquals(Optional.empty(), puppets.find(BOB, MATRIX));
        assertEquals(ALICE, puppets.findByPuppetId(MATRIX, id).orElseThrow().person());
    }

    @Test
    void theSamePuppetIdOnAnotherNetworkIsFine() {
        puppets.save(new Puppet(ALICE, MATRIX, RemoteUserId.of("same"), Profile.EMPTY, T1));
        puppets.save(new Puppet(UserRef.of("matrix", "@carol:example.org"), XMPP, RemoteUserId.of("same"),
                Profile.EMPTY, T1));
        assertEquals(ALICE, puppets.findByPuppetId(MATRIX, RemoteUserId.of("same")).orElseThrow().person());
    }

    @Test
    void searchIsCaseInsensitiveNewestFirstPagedAndTakesWildcardsLiterally() {
        Puppet alice = new Puppet(ALICE, MATRIX, RemoteUserId.of("@_xmpp_alice:example.org"), Profile.named("Wonder"), T1);
        Puppet bob = new Puppet(BOB, MATRIX, RemoteUserId.of("@_xmpp_bob:example.org"), Profile.named("Bob 100%"), T2);
        Puppet carol = new Puppet(UserRef.of("matrix", "@Carol_C:example.org"), XMPP,
                RemoteUserId.of("carol_c@bridge.example.org"), Profile.EMPTY, T1.plusSeconds(1));
        puppets.save(alice);
        puppets.save(bob);
        puppets.save(carol);

        assertEquals(List.of(bob, carol, alice), puppets.search("", 0, 10));
        assertEquals(List.of(carol), puppets.search("", 1, 1));
        assertEquals(List.of(alice), puppets.search("WONDER", 0, 10), "display name, any case");
        assertEquals(List.of(alice), puppets.search("ALICE@", 0, 10), "person id");
        assertEquals(List.of(bob, alice), puppets.search("_xmpp_", 0, 10), "puppet id");
        assertEquals(List.of(bob), puppets.search("100%", 0, 10));
        assertEquals(List.of(), puppets.search("1%0", 0, 10), "'%' is literal");
        assertEquals(List.of(carol), puppets.search("l_c", 0, 10), "'_' is literal");
        assertEquals(List.of(), puppets.search("", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> puppets.search("", -1, 10));
        assertThrows(IllegalArgumentException.class, () -> puppets.search("", 0, 100_000));
    }
}
