package org.bridgeappliance.adapter.xmpp.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.bridgeappliance.adapter.xmpp.testing.LimitsBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** Issue 9 item 8: the gateway is no open relay; who may use it and which Matrix rooms it reaches. */
class GatewayPolicyTest {
    static XmppLimits lists(List<String> allowX, List<String> denyX, List<String> allowM, List<String> denyM) {
        LimitsBuilder b = new LimitsBuilder();
        b.allowedXmppDomains = allowX;
        b.deniedXmppDomains = denyX;
        b.allowedMatrixServers = allowM;
        b.deniedMatrixServers = denyM;
        return b.build();
    }

    @Test
    void byDefaultOnlyTheServerDomainsUsersReachOnlyTheHomeserversRooms() throws Exception {
        GatewayPolicy p = GatewayPolicy.of(XmppLimits.defaults().withMatrixServerName("matrix.test"), "xmpp.test");
        assertTrue(p.mayUse(JidCreate.from("alice@xmpp.test/pc")));
        assertFalse(p.mayUse(JidCreate.from("eve@evil.example/pc")));
        assertFalse(p.mayUse(JidCreate.from("eve@sub.xmpp.test/pc")), "subdomains only when listed");
        assertTrue(p.mayReach("#lobby:matrix.test"));
        assertTrue(p.mayReach("!abc:matrix.test:8448"), "any port of an allowed server");
        assertFalse(p.mayReach("#lobby:evil.org"));
        assertFalse(p.mayReach("#lobby:matrix.test.evil.org"));
    }

    @Test
    void withoutAKnownHomeserverNoMatrixRoomIsReachable() {
        GatewayPolicy p = GatewayPolicy.of(XmppLimits.defaults(), "xmpp.test");
        assertFalse(p.mayReach("#lobby:matrix.test"));
    }

    @Test
    void wildcardsAndDenyEntriesWinOverAllowEntries() throws Exception {
        GatewayPolicy p = GatewayPolicy.of(lists(List.of("*.example.org", "xmpp.test"), List.of("bad.example.org"),
                List.of("*"), List.of("evil.org", "*.evil.org")), "xmpp.test");
        assertTrue(p.mayUse(JidCreate.from("a@chat.example.org")));
        assertFalse(p.mayUse(JidCreate.from("a@bad.example.org")));
        assertTrue(p.mayUse(JidCreate.from("a@XMPP.test")));
        assertTrue(p.mayReach("#x:anything.net"));
        assertFalse(p.mayReach("#x:evil.org"));
        assertFalse(p.mayReach("#x:EVIL.org:443"));
        assertFalse(p.mayReach("#x:a.evil.org"));
        assertFalse(p.mayReach("#x"), "no server part");
    }

    @Test
    void refusalsAreForbiddenForTheUserAndNotAllowedForTheServer() throws Exception {
        GatewayPolicy p = GatewayPolicy.of(XmppLimits.defaults().withMatrixServerName("matrix.test"), "xmpp.test");
        assertEquals(StanzaError.Condition.forbidden,
                p.refusal(JidCreate.from("eve@evil.example/pc"), "#a:matrix.test", true).orElseThrow().getCondition());
        assertEquals(StanzaError.Condition.not_allowed,
                p.refusal(JidCreate.from("alice@xmpp.test/pc"), "#a:evil.org", true).orElseThrow().getCondition());
        assertTrue(p.refusal(JidCreate.from("alice@xmpp.test/pc"), "#a:evil.org", false).isEmpty(),
                "a room an admin mapped is not subject to the server list");
    }
}
