package org.bridgeappliance.adapter.xmpp.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.junit.jupiter.api.Test;

/** One component domain per foreign network: each person has exactly one puppet JID, on their network's domain. */
class ComponentDomainsAddressingTest {
    static final List<ComponentDomain> DOMAINS = List.of(ComponentDomain.legacy("matrix.xmpp.test"),
            new ComponentDomain("sip", "sip.xmpp.test", ComponentDomain.IdForm.PREFIXED));
    final PuppetAddressing addressing = new PuppetAddressing(DOMAINS);
    final GatewayAddressing gateway = new GatewayAddressing(DOMAINS);

    @Test
    void eachNetworkOnItsOwnDomain() throws Exception {
        UserRef erin = UserRef.of("sip", "Erin@sip.test");
        EntityBareJid sip = addressing.puppetJid(erin);
        assertEquals("sip+\\45rin\\40sip.test@sip.xmpp.test", sip.toString());
        assertEquals(Optional.of(erin), addressing.person(JidCreate.from(sip.toString())));
        UserRef bob = UserRef.of("matrix", "@bob:matrix.test");
        assertEquals("bob%matrix.test@matrix.xmpp.test", addressing.puppetJid(bob).toString());
        assertEquals(Optional.of(bob), addressing.person(JidCreate.from("bob%matrix.test@matrix.xmpp.test")));
    }

    @Test
    void aPersonIsNeverAddressedOnAnotherNetworksDomain() throws Exception {
        for (String jid : new String[] {"sip+erin\\40sip.test@matrix.xmpp.test", "bob%matrix.test@sip.xmpp.test",
            "matrix+x@sip.xmpp.test", "xmpp+x@sip.xmpp.test", "irc+nick@sip.xmpp.test"}) {
            assertTrue(addressing.person(JidCreate.from(jid)).isEmpty(), jid);
        }
    }

    @Test
    void aNetworkWithoutAComponentLivesOnTheDefaultDomain() throws Exception {
        UserRef nick = UserRef.of("irc", "nick@libera");
        EntityBareJid jid = addressing.puppetJid(nick);
        assertEquals("irc+nick\\40libera@matrix.xmpp.test", jid.toString());
        assertEquals(Optional.of(nick), addressing.person(jid));
        assertEquals("matrix.xmpp.test", addressing.domainFor(Network.of("irc")).domain());
        assertTrue(!addressing.hasOwnDomain(Network.of("irc")) && addressing.hasOwnDomain(Network.of("sip")));
    }

    @Test
    void gatewayRoomsTargetTheirDomainsNetwork() throws Exception {
        EntityBareJid matrixRoom = gateway.roomJid(Network.of("matrix"), "#Room:matrix.test");
        assertEquals("#\\52oom%matrix.test@matrix.xmpp.test", matrixRoom.toString());
        assertEquals(Optional.of(new GatewayAddressing.Target(Network.of("matrix"), "#Room:matrix.test")),
                gateway.target(JidCreate.from(matrixRoom.toString())));
        EntityBareJid sipRoom = gateway.roomJid(Network.of("sip"), "sip:lobby@rooms.bridge.sip.test");
        assertEquals("#sip\\3alobby\\40rooms.bridge.sip.test@sip.xmpp.test", sipRoom.toString());
        assertEquals(Optional.of(new GatewayAddressing.Target(Network.of("sip"), "sip:lobby@rooms.bridge.sip.test")),
                gateway.target(JidCreate.from(sipRoom.toString())));
        assertTrue(addressing.person(sipRoom).isEmpty(), "a room is not a puppet");
        assertTrue(gateway.target(JidCreate.from("sip+erin\\40sip.test@sip.xmpp.test")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> gateway.roomJid(Network.of("irc"), "#x"));
    }

    @Test
    void aDomainOrNetworkTwiceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PuppetAddressing(List.of(
                ComponentDomain.legacy("a.test"), new ComponentDomain("sip", "a.test", ComponentDomain.IdForm.PREFIXED))));
        assertThrows(IllegalArgumentException.class, () -> new PuppetAddressing(List.of(
                ComponentDomain.legacy("a.test"), ComponentDomain.legacy("b.test"))));
        assertThrows(IllegalArgumentException.class, () -> new ComponentDomain("xmpp", "x.test",
                ComponentDomain.IdForm.PREFIXED));
    }

    @Test
    void userHostIdsAreReadablePairsOnTheirOwnDomain() throws Exception {
        List<ComponentDomain> domains = List.of(ComponentDomain.legacy("matrix.xmpp.test"),
                new ComponentDomain("sip", "sip.xmpp.test", ComponentDomain.IdForm.parse("user-host")));
        PuppetAddressing pairs = new PuppetAddressing(domains);
        UserRef erin = UserRef.of("sip", "Erin@sip.test");
        EntityBareJid jid = pairs.puppetJid(erin);
        assertEquals("\\45rin%sip.test@sip.xmpp.test", jid.toString());
        assertEquals(Optional.of(erin), pairs.person(JidCreate.from(jid.toString())));
        assertEquals(Optional.of(UserRef.of("sip", "a@b@sip.test")),
                pairs.person(pairs.puppetJid(UserRef.of("sip", "a@b@sip.test"))), "split at the last @");
        assertThrows(IllegalArgumentException.class, () -> pairs.puppetJid(UserRef.of("sip", "no-host")));
        assertTrue(pairs.person(JidCreate.from("sip+erin\\40sip.test@sip.xmpp.test")).isEmpty(),
                "one puppet JID per person: the prefixed form is not accepted on a user-host domain");
        assertTrue(pairs.person(JidCreate.from("erin%sip.test@matrix.xmpp.test")).get().user().value().startsWith("@"),
                "on the Matrix domain a pair is a Matrix id");
        assertEquals("bob%matrix.test@matrix.xmpp.test", pairs.puppetJid(UserRef.of("matrix", "@bob:matrix.test"))
                .toString());
    }
}
