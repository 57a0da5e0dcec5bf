package org.bridgeappliance.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.IdentityLinkStore;
import org.bridgeappliance.core.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityLinkStoreTest {
    private static final UserRef ALICE_XMPP = UserRef.of("xmpp", "alice@example.org");
    private static final UserRef ALICE_MATRIX = UserRef.of("matrix", "@alice:example.org");
    private static final UserRef ALICE_SIP = UserRef.of("sip", "sip:alice@example.org");
    private static final UserRef OTHER_MATRIX = UserRef.of("matrix", "@other:example.org");

    private MappingDatabase db;
    private IdentityLinkStore links;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh(getClass());
        links = db.stores().identities();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aLinkWorksInBothDirections() {
        IdentityLink link = links.link(ALICE_XMPP, ALICE_MATRIX);

        assertEquals(Optional.of(ALICE_MATRIX), links.linkedAccount(ALICE_XMPP, Network.of("matrix")));
        assertEquals(Optional.of(ALICE_XMPP), links.linkedAccount(ALICE_MATRIX, Network.of("xmpp")));
        assertEquals(Optional.empty(), links.linkedAccount(ALICE_XMPP, Network.of("sip")));
        assertEquals(List.of(link), links.all());
    }

    @Test
    void anAccountHasAtMostOneLinkPerOtherNetwork() {
        links.link(ALICE_XMPP, ALICE_MATRIX);

        assertThrows(StoreConflictException.class, () -> links.link(ALICE_XMPP, OTHER_MATRIX));
        assertThrows(StoreConflictException.class,
                () -> links.link(UserRef.of("xmpp", "mallory@example.org"), ALICE_MATRIX), "the other side too");
        assertEquals(1, links.all().size(), "failed links left nothing behind");

        links.link(ALICE_XMPP, ALICE_SIP); // another network: allowed
        assertEquals(Optional.of(ALICE_SIP), links.linkedAccount(ALICE_XMPP, Network.of("sip")));
    }

    @Test
    void unlinkRemovesBothDirections() {
        IdentityLink link = links.link(ALICE_XMPP, ALICE_MATRIX);

        assertTrue(links.unlink(link.id()));
        assertFalse(links.unlink(link.id()));

        assertEquals(Optional.empty(), links.linkedAccount(ALICE_MATRIX, Network.of("xmpp")));
        assertEquals(List.of(), links.all());
        links.link(ALICE_XMPP, OTHER_MATRIX);
    }

    @Test
    void linkingTwoAccountsOfOneNetworkIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> links.link(ALICE_MATRIX, OTHER_MATRIX));
        assertEquals(List.of(), links.all());
    }
}
