package org.bridgeappliance.adapter.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.Test;

/** The bean always exists; {@code bridge.xmpp.*} binds (kebab-case keys of deploy/CONVENTIONS.md) with defaults. */
class XmppAdapterBeanTest {
    @Test
    void disabledByDefaultAndStillABean() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of())) {
            XmppAdapterBean bean = ctx.getBean(XmppAdapterBean.class);
            assertEquals("xmpp", bean.network().value());
            bean.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, s) -> { }, InMemoryStores.create(),
                    Clock.systemUTC()));
            assertEquals(AdapterState.Status.DISABLED, bean.state().status());
            bean.stop();
        }
    }

    @Test
    void avatarTrustedUrlPrefixesBindToTheAdapterAndDefaultToNone() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of())) {
            assertEquals(java.util.List.of(), ctx.getBean(XmppAdapterBean.class).adapter().avatarTrustedUrlPrefixes());
        }
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.avatar-trusted-url-prefixes",
                java.util.List.of("http://127.0.0.1:18480/_bridge/matrix/media/", "https://media.example.org/")))) {
            assertEquals(java.util.List.of("http://127.0.0.1:18480/_bridge/matrix/media/", "https://media.example.org/"),
                    ctx.getBean(XmppAdapterBean.class).adapter().avatarTrustedUrlPrefixes());
        }
    }

    @Test
    void publicBaseUrlBindsAndDefaultsToEmpty() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of())) {
            assertEquals("", ctx.getBean(XmppAdapterBean.class).adapter().publicBaseUrl());
        }
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.public-base-url",
                "https://bridge.example.org"))) {
            assertEquals("https://bridge.example.org", ctx.getBean(XmppAdapterBean.class).adapter().publicBaseUrl());
        }
    }

    @Test
    void anInvalidTrustedPrefixFailsTheStart() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.enabled", "true",
                "bridge.xmpp.secret", "s", "bridge.xmpp.avatar-trusted-url-prefixes", java.util.List.of("file:///etc/")))) {
            XmppAdapterBean bean = ctx.getBean(XmppAdapterBean.class);
            bean.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, s) -> { }, InMemoryStores.create(),
                    Clock.systemUTC()));
            assertEquals(AdapterState.Status.FAILED, bean.state().status());
            assertTrue(bean.state().detail().contains("avatar-trusted-url-prefixes"), bean.state().toString());
            bean.stop();
        }
    }

    @Test
    void configurationKeysBind() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.enabled", "true",
                "bridge.xmpp.host", "10.0.0.1", "bridge.xmpp.port", "5347", "bridge.xmpp.secret", "s3cret",
                "bridge.xmpp.server-domain", "example.org", "bridge.xmpp.muc-domain", "muc.example.org",
                "bridge.xmpp.component-domain", "Matrix.Example.org", "bridge.xmpp.ping-interval", "15s",
                "bridge.xmpp.max-stanza-bytes", "65536"))) {
            XmppSettings s = ctx.getBean(XmppConfig.class).toSettings();
            assertTrue(s.enabled());
            assertEquals("10.0.0.1", s.host());
            assertEquals(5347, s.port());
            assertEquals("example.org", s.serverDomain());
            assertEquals("muc.example.org", s.mucDomain());
            assertEquals("matrix.example.org", s.componentDomain());
            assertEquals(Duration.ofSeconds(15), s.pingInterval());
            assertEquals(65536, s.maxStanzaBytes());
            assertEquals(Duration.ofSeconds(20), s.pingTimeout(), "defaults for keys not given");
            assertTrue(!s.toString().contains("s3cret"), "no secret in toString: " + s);
        }
    }

    @Test
    void mucServicesBindAndDefaultToTheMucDomain() {
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.muc-domain", "muc.example.org",
                "bridge.xmpp.muc-services", "muc.example.org,rooms.partner.example"))) {
            assertEquals(List.of("muc.example.org", "rooms.partner.example"),
                    ctx.getBean(XmppAdapterBean.class).adapter().mucServices());
        }
        try (ApplicationContext ctx = ApplicationContext.run(Map.of("bridge.xmpp.muc-domain", "muc.example.org"))) {
            assertEquals(List.of("muc.example.org"), ctx.getBean(XmppAdapterBean.class).adapter().mucServices());
        }
    }

    @Test
    void enabledWithoutSecretFailsWithAClearReason() {
        XmppAdapter adapter = new XmppAdapter(new XmppSettings(true, "127.0.0.1", 5347, "", "xmpp.test",
                "conference.xmpp.test", "matrix.xmpp.test", 65536, Duration.ofSeconds(60), Duration.ofSeconds(20),
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMinutes(5), "b", true, 5));
        adapter.start(new AdapterContext(e -> EventIngress.Acceptance.QUEUED, (n, st) -> { }, InMemoryStores.create(),
                Clock.systemUTC()));
        assertEquals(AdapterState.Status.FAILED, adapter.state().status());
        assertTrue(adapter.state().detail().contains("bridge.xmpp.secret"), adapter.state().detail());
    }
}
