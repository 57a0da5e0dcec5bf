package org.bridgeappliance.adapter.xmpp;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the XMPP adapter is configured with, validated, with defaults for the optional parts.
 * Plain Java so the adapter can be built in unit tests without Micronaut; {@link XmppConfig} fills it
 * from {@code bridge.xmpp.*}.
 *
 * @param enabled            when false the adapter only reports DISABLED
 * @param host               the XMPP server's component listener host
 * @param port               its port (XEP-0114)
 * @param secret             the component secret (never logged)
 * @param serverDomain       the server's users' domain (pinged for keepalive)
 * @param mucDomain          the MUC service whose rooms may be bridged
 * @param componentDomain    the component domain: puppets and gateway rooms live here
 * @param maxStanzaBytes     the largest stanza accepted from the server
 * @param pingInterval       XEP-0199 keepalive interval
 * @param pingTimeout        how long a keepalive answer may take before the stream is dropped
 * @param reconnectMin       first reconnect delay (doubles, with jitter)
 * @param reconnectMax       longest reconnect delay
 * @param joinTimeout        how long a puppet's MUC join may take before a delivery is retried
 * @param selfPingInterval   XEP-0410 MUC self-ping interval
 * @param listenerNick       the nick of the bridge's own listener occupant in bridged MUCs
 * @param gatewayEnabled     whether the component serves gateway MUCs for bridged rooms
 * @param gatewayHistory     the most archived messages a gateway room sends a joiner as history (XEP-0045); MAM
 *                           pages through the whole archive
 */
public record XmppSettings(boolean enabled, String host, int port, String secret, String serverDomain,
                           String mucDomain, String componentDomain, long maxStanzaBytes, Duration pingInterval,
                           Duration pingTimeout, Duration reconnectMin, Duration reconnectMax, Duration joinTimeout,
                           Duration selfPingInterval, String listenerNick, boolean gatewayEnabled,
                           int gatewayHistory) {
    public XmppSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(serverDomain, "serverDomain");
        Objects.requireNonNull(mucDomain, "mucDomain");
        Objects.requireNonNull(componentDomain, "componentDomain");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        Objects.requireNonNull(reconnectMin, "reconnectMin");
        Objects.requireNonNull(reconnectMax, "reconnectMax");
        Objects.requireNonNull(joinTimeout, "joinTimeout");
        Objects.requireNonNull(selfPingInterval, "selfPingInterval");
        Objects.requireNonNull(listenerNick, "listenerNick");
        serverDomain = serverDomain.toLowerCase(java.util.Locale.ROOT);
        mucDomain = mucDomain.toLowerCase(java.util.Locale.ROOT);
        componentDomain = componentDomain.toLowerCase(java.util.Locale.ROOT);
        if (maxStanzaBytes < 1024) {
            throw new IllegalArgumentException("bridge.xmpp.max-stanza-bytes must be at least 1024");
        }
        if (gatewayHistory < 0 || gatewayHistory > 10_000) {
            throw new IllegalArgumentException("bridge.xmpp.gateway-history must be 0..10000");
        }
    }

    /** The defaults of deploy/CONVENTIONS.md (sandbox addresses), disabled. */
    public static XmppSettings defaults() {
        return new XmppSettings(false, "127.0.0.1", 15347, "", "xmpp.test", "conference.xmpp.test", "matrix.xmpp.test",
                1024 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(1),
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMinutes(5), "Matrix bridge", true, 50);
    }

    /** Problems that keep an enabled adapter from starting (shown as FAILED), empty if none. */
    public String problems() {
        StringBuilder sb = new StringBuilder();
        if (secret.isEmpty()) {
            sb.append("bridge.xmpp.secret is empty; ");
        }
        if (port < 1 || port > 65535) {
            sb.append("bridge.xmpp.port out of range; ");
        }
        if (componentDomain.isBlank()) {
            sb.append("bridge.xmpp.component-domain is empty; ");
        }
        if (componentDomain.equals(serverDomain)) {
            sb.append("bridge.xmpp.component-domain must differ from server-domain; ");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "XmppSettings[enabled=" + enabled + ", " + componentDomain + " via " + host + ":" + port + ", server="
                + serverDomain + ", muc=" + mucDomain + "]";
    }
}
