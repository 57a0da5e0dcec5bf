package org.bridgeappliance.adapter.xmpp.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.adapter.xmpp.XmppAdapterBean;
import org.bridgeappliance.adapter.xmpp.XmppConfig;
import org.bridgeappliance.adapter.xmpp.gateway.GatewayPolicy;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** The bridge.xmpp.* keys of XmppLimits bind, and the shipped defaults are the safe ones (issue 9 items 7, 8). */
class XmppLimitsConfigTest {
    @Test
    void byDefaultTheGatewayServesTheServerDomainAndReachesTheConfiguredHomeserverOnly() throws Exception {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.matrix.server-name", "hs.example",
                "bridge.xmpp.server-domain", "chat.example"))) {
            XmppLimits limits = ctx.getBean(XmppAdapterBean.class).adapter().limits();
            assertEquals("hs.example", limits.matrixServerName());
            GatewayPolicy policy = GatewayPolicy.of(limits, "chat.example");
            assertTrue(policy.mayUse(JidCreate.from("a@chat.example")));
            assertFalse(policy.mayUse(JidCreate.from("a@elsewhere.example")));
            assertTrue(policy.mayReach("#room:hs.example"));
            assertFalse(policy.mayReach("#room:other.example"));
            assertEquals(XmppLimits.defaults().withMatrixServerName("hs.example"), limits);
        }
    }

    @Test
    void everyKeyBinds() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.ofEntries(
                Map.entry("bridge.xmpp.gateway-allowed-xmpp-domains", List.of("*")),
                Map.entry("bridge.xmpp.gateway-denied-xmpp-domains", List.of("spam.example")),
                Map.entry("bridge.xmpp.gateway-allowed-matrix-servers", List.of("matrix.org", "*.example")),
                Map.entry("bridge.xmpp.gateway-denied-matrix-servers", List.of("bad.example")),
                Map.entry("bridge.xmpp.provision-threads", "3"), Map.entry("bridge.xmpp.provision-queue", "9"),
                Map.entry("bridge.xmpp.provision-failure-ttl", "30s"), Map.entry("bridge.xmpp.provision-burst", "2"),
                Map.entry("bridge.xmpp.provision-per-minute", "4"), Map.entry("bridge.xmpp.provision-parked", "7"),
                Map.entry("bridge.xmpp.max-gateway-rooms", "11"), Map.entry("bridge.xmpp.max-gateway-occupants", "12"),
                Map.entry("bridge.xmpp.max-gateway-members", "13"), Map.entry("bridge.xmpp.max-tracked-users", "14"),
                Map.entry("bridge.xmpp.max-cached-avatars", "15"), Map.entry("bridge.xmpp.max-status-chars", "16")))) {
            XmppLimits l = ctx.getBean(XmppConfig.class).toLimits();
            assertEquals(new XmppLimits(3, 9, Duration.ofSeconds(30), 2, 4, 7, 11, 12, 13, 14, 15, 16, List.of("*"),
                    List.of("spam.example"), List.of("matrix.org", "*.example"), List.of("bad.example"), ""), l);
        }
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheirKey() {
        XmppConfig config = new XmppConfig();
        config.setProvisionThreads(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::toLimits);
        assertTrue(e.getMessage().contains("bridge.xmpp.provision-threads"), e.getMessage());
    }

    @Test
    void statusTextIsCutWithoutSplittingASurrogatePair() {
        XmppLimits d = XmppLimits.defaults();
        String text = "a".repeat(d.maxStatusChars() - 1) + "😀" + "tail";
        String cut = d.status(text);
        assertEquals("a".repeat(d.maxStatusChars() - 1) + "…", cut);
    }
}
