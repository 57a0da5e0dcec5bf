package org.bridgeappliance.adapter.xmpp;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.List;

/**
 * {@code bridge.xmpp.*} (deploy/CONVENTIONS.md). Only {@code enabled}, {@code host}, {@code port},
 * {@code secret}, {@code server-domain}, {@code muc-domain} and {@code component-domain} are fixed
 * by the conventions; the rest are tuning knobs with defaults:
 *
 * <pre>
 * bridge:
 *   xmpp:
 *     enabled: true
 *     host: 127.0.0.1
 *     port: 15347                    # the server's component port (XEP-0114)
 *     secret: "..."                  # the component secret configured on the server
 *     server-domain: xmpp.test
 *     muc-domain: conference.xmpp.test
 *     muc-services:                  # MUC services whose rooms may be bridged (default: [muc-domain] alone)
 *       - conference.xmpp.test
 *     component-domain: matrix.xmpp.test
 *     max-stanza-bytes: 1048576      # larger stanzas end the stream with policy-violation
 *     ping-interval: 60s             # XEP-0199 keepalive
 *     ping-timeout: 20s
 *     reconnect-min: 1s              # backoff doubles with jitter up to reconnect-max
 *     reconnect-max: 60s
 *     join-timeout: 10s              # MUC joins and IQ round trips
 *     self-ping-interval: 5m         # XEP-0410
 *     listener-nick: Matrix bridge   # the bridge's own occupant in bridged MUCs
 *     gateway-enabled: true          # serve #alias%server@component-domain rooms
 *     gateway-history: 50            # most archived messages a joiner gets as history (MAM pages the whole archive)
 *     avatar-trusted-url-prefixes:   # avatars under these prefixes are fetched even over http / on internal
 *       - http://127.0.0.1:18480/_bridge/matrix/media/   # addresses (default: none; https + public only)
 *     public-base-url: https://bridge.example.org   # where other networks fetch XMPP users' avatars
 *                                    # (/_bridge/xmpp/avatar/...); empty (default): avatars not published
 * </pre>
 */
@ConfigurationProperties("bridge.xmpp")
public class XmppConfig {
    private final XmppSettings d = XmppSettings.defaults();
    private boolean enabled = d.enabled();
    private String host = d.host();
    private int port = d.port();
    private String secret = d.secret();
    private String serverDomain = d.serverDomain();
    private String mucDomain = d.mucDomain();
    private String componentDomain = d.componentDomain();
    private long maxStanzaBytes = d.maxStanzaBytes();
    private Duration pingInterval = d.pingInterval();
    private Duration pingTimeout = d.pingTimeout();
    private Duration reconnectMin = d.reconnectMin();
    private Duration reconnectMax = d.reconnectMax();
    private Duration joinTimeout = d.joinTimeout();
    private Duration selfPingInterval = d.selfPingInterval();
    private String listenerNick = d.listenerNick();
    private boolean gatewayEnabled = d.gatewayEnabled();
    private int gatewayHistory = d.gatewayHistory();
    private List<String> avatarTrustedUrlPrefixes = List.of();
    private String publicBaseUrl = "";

    /** The validated settings. */
    public XmppSettings toSettings() {
        return new XmppSettings(enabled, host, port, secret, serverDomain, mucDomain, componentDomain, maxStanzaBytes,
                pingInterval, pingTimeout, reconnectMin, reconnectMax, joinTimeout, selfPingInterval, listenerNick,
                gatewayEnabled, gatewayHistory);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getSecret() {
        return secret;
    }

    public void setSecret(String secret) {
        this.secret = secret;
    }

    public String getServerDomain() {
        return serverDomain;
    }

    public void setServerDomain(String serverDomain) {
        this.serverDomain = serverDomain;
    }

    public String getMucDomain() {
        return mucDomain;
    }

    public void setMucDomain(String mucDomain) {
        this.mucDomain = mucDomain;
    }

    public String getComponentDomain() {
        return componentDomain;
    }

    public void setComponentDomain(String componentDomain) {
        this.componentDomain = componentDomain;
    }

    public long getMaxStanzaBytes() {
        return maxStanzaBytes;
    }

    public void setMaxStanzaBytes(long maxStanzaBytes) {
        this.maxStanzaBytes = maxStanzaBytes;
    }

    public Duration getPingInterval() {
        return pingInterval;
    }

    public void setPingInterval(Duration pingInterval) {
        this.pingInterval = pingInterval;
    }

    public Duration getPingTimeout() {
        return pingTimeout;
    }

    public void setPingTimeout(Duration pingTimeout) {
        this.pingTimeout = pingTimeout;
    }

    public Duration getReconnectMin() {
        return reconnectMin;
    }

    public void setReconnectMin(Duration reconnectMin) {
        this.reconnectMin = reconnectMin;
    }

    public Duration getReconnectMax() {
        return reconnectMax;
    }

    public void setReconnectMax(Duration reconnectMax) {
        this.reconnectMax = reconnectMax;
    }

    public Duration getJoinTimeout() {
        return joinTimeout;
    }

    public void setJoinTimeout(Duration joinTimeout) {
        this.joinTimeout = joinTimeout;
    }

    public Duration getSelfPingInterval() {
        return selfPingInterval;
    }

    public void setSelfPingInterval(Duration selfPingInterval) {
        this.selfPingInterval = selfPingInterval;
    }

    public String getListenerNick() {
        return listenerNick;
    }

    public void setListenerNick(String listenerNick) {
        this.listenerNick = listenerNick;
    }

    public boolean isGatewayEnabled() {
        return gatewayEnabled;
    }

    public void setGatewayEnabled(boolean gatewayEnabled) {
        this.gatewayEnabled = gatewayEnabled;
    }

    public int getGatewayHistory() {
        return gatewayHistory;
    }

    public void setGatewayHistory(int gatewayHistory) {
        this.gatewayHistory = gatewayHistory;
    }

    /** Not part of {@link #toSettings()}: passed to the adapter separately (see XmppAdapterBean). */
    public List<String> getAvatarTrustedUrlPrefixes() {
        return avatarTrustedUrlPrefixes;
    }

    /** Not part of {@link #toSettings()}: passed to the adapter separately (see XmppAdapterBean). */
    public String getPublicBaseUrl() {
        return publicBaseUrl;
    }

    public void setPublicBaseUrl(String publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl;
    }

    public void setAvatarTrustedUrlPrefixes(List<String> avatarTrustedUrlPrefixes) {
        this.avatarTrustedUrlPrefixes = avatarTrustedUrlPrefixes == null ? List.of() : List.copyOf(avatarTrustedUrlPrefixes);
    }

    // ---- bridge.xmpp.muc-services (issue 9): which MUC services' rooms may be bridged ----------------------------

    private List<String> mucServices = List.of();

    /**
     * {@code bridge.xmpp.muc-services}: the MUC services (domains, exact match) whose rooms may be mapped, resolved
     * and joined, and whose occupant items' real JIDs are believed. Empty (the default): {@code muc-domain} alone.
     * Not part of {@link #toSettings()}: passed to the adapter separately (see XmppAdapterBean).
     */
    public List<String> getMucServices() {
        return mucServices;
    }

    public void setMucServices(List<String> mucServices) {
        this.mucServices = mucServices == null ? List.of() : List.copyOf(mucServices);
    }
}
