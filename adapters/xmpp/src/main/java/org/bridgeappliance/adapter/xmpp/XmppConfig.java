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
 *     component-domain: matrix.xmpp.test   # the default component: Matrix people and rooms live here
 *     component-network: matrix      # whose people live on component-domain (default matrix)
 *     component-name: Matrix bridge  # its disco#info identity name (default: "&lt;Network&gt; bridge")
 *     component-id-form: server-pair # @local:server ids as local%server (default); or prefixed (network+id)
 *     components:                    # one more component (stream) per other foreign network
 *       sip:
 *         domain: sip.xmpp.test      # SIP people and rooms live here
 *         secret: "..."              # its own component secret
 *         name: SIP bridge           # optional, default "&lt;Network&gt; bridge"
 *         id-form: user-host         # optional: user@host ids as user%host (erin%sip.test@sip.xmpp.test);
 *                                    # default prefixed (sip+erin\40sip.test@sip.xmpp.test)
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
 *     # Bounds on remote input and the gateway's allow/deny lists (XmppLimits; README "Limits and gateway policy"):
 *     gateway-allowed-xmpp-domains: []   # who may join gateway rooms; empty: server-domain only; "*" anyone
 *     gateway-denied-xmpp-domains: []
 *     gateway-allowed-matrix-servers: [] # whose rooms the gateway reaches; empty: bridge.matrix.server-name only
 *     gateway-denied-matrix-servers: []
 *     provision-threads: 2               # gateway rooms / 1:1 chats are opened on these, never on the inbound thread
 *     provision-queue: 64
 *     provision-failure-ttl: 5m          # a failed opening is answered from cache this long
 *     provision-burst: 5                 # openings one sender may start at once ...
 *     provision-per-minute: 10           # ... refilled at this rate
 *     provision-parked: 32               # stanzas held per room/chat while it is being opened
 *     max-gateway-rooms: 1000
 *     max-gateway-occupants: 500         # XMPP joiners per gateway room
 *     max-gateway-members: 2000          # Matrix members remembered per gateway room
 *     max-tracked-users: 10000           # per-user memories (presence, chats, profiles, allowances)
 *     max-cached-avatars: 64             # puppet avatars held in memory (each at most 512 KiB)
 *     max-status-chars: 512              # presence status texts are cut to this length
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
    private String componentNetwork = org.bridgeappliance.adapter.xmpp.address.ComponentDomain.LEGACY_NETWORK;
    private String componentName = "";
    private String componentIdForm = "server-pair";
    private java.util.Map<String, Object> components = java.util.Map.of();
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
    private final org.bridgeappliance.adapter.xmpp.limits.XmppLimits l =
            org.bridgeappliance.adapter.xmpp.limits.XmppLimits.defaults();
    private List<String> gatewayAllowedXmppDomains = l.allowedXmppDomains();
    private List<String> gatewayDeniedXmppDomains = l.deniedXmppDomains();
    private List<String> gatewayAllowedMatrixServers = l.allowedMatrixServers();
    private List<String> gatewayDeniedMatrixServers = l.deniedMatrixServers();
    private int provisionThreads = l.provisionThreads();
    private int provisionQueue = l.provisionQueue();
    private Duration provisionFailureTtl = l.provisionFailureTtl();
    private int provisionBurst = l.provisionBurst();
    private int provisionPerMinute = l.provisionPerMinute();
    private int provisionParked = l.provisionParked();
    private int maxGatewayRooms = l.maxGatewayRooms();
    private int maxGatewayOccupants = l.maxGatewayOccupants();
    private int maxGatewayMembers = l.maxGatewayMembers();
    private int maxTrackedUsers = l.maxTrackedUsers();
    private int maxCachedAvatars = l.maxCachedAvatars();
    private int maxStatusChars = l.maxStatusChars();

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

    /**
     * The components the adapter connects: first {@code component-domain} (the default domain, for
     * {@code component-network}, with {@code secret}), then one per entry of {@code components}.
     *
     * @throws IllegalArgumentException naming the key that is wrong
     */
    public List<XmppComponent> toComponents() {
        List<XmppComponent> out = new java.util.ArrayList<>();
        out.add(new XmppComponent(new org.bridgeappliance.adapter.xmpp.address.ComponentDomain(componentNetwork,
                componentDomain, org.bridgeappliance.adapter.xmpp.address.ComponentDomain.IdForm.parse(componentIdForm)),
                secret, componentName));
        for (java.util.Map.Entry<String, Object> e : components.entrySet()) {
            if (!(e.getValue() instanceof java.util.Map<?, ?> entry)) {
                throw new IllegalArgumentException("bridge.xmpp.components." + e.getKey()
                        + " must be a map with domain and secret");
            }
            String domain = text(entry, "domain");
            String entrySecret = text(entry, "secret");
            if (domain.isBlank()) {
                throw new IllegalArgumentException("bridge.xmpp.components." + e.getKey() + ".domain is missing");
            }
            String idForm = text(entry, "id-form");
            try {
                out.add(new XmppComponent(new org.bridgeappliance.adapter.xmpp.address.ComponentDomain(e.getKey(), domain,
                        idForm.isBlank() ? org.bridgeappliance.adapter.xmpp.address.ComponentDomain.IdForm.PREFIXED
                                : org.bridgeappliance.adapter.xmpp.address.ComponentDomain.IdForm.parse(idForm)),
                        entrySecret, text(entry, "name")));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("bridge.xmpp.components." + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    private static String text(java.util.Map<?, ?> entry, String key) {
        Object v = entry.get(key);
        if (v == null) {
            // Micronaut may hand nested keys over in camelCase
            StringBuilder camel = new StringBuilder();
            boolean up = false;
            for (char c : key.toCharArray()) {
                if (c == '-') {
                    up = true;
                } else {
                    camel.append(up ? Character.toUpperCase(c) : c);
                    up = false;
                }
            }
            v = entry.get(camel.toString());
        }
        return v == null ? "" : v.toString().strip();
    }

    public String getComponentNetwork() {
        return componentNetwork;
    }

    public void setComponentNetwork(String componentNetwork) {
        this.componentNetwork = componentNetwork;
    }

    public String getComponentName() {
        return componentName;
    }

    public void setComponentName(String componentName) {
        this.componentName = componentName == null ? "" : componentName;
    }

    public String getComponentIdForm() {
        return componentIdForm;
    }

    public void setComponentIdForm(String componentIdForm) {
        this.componentIdForm = componentIdForm;
    }

    public java.util.Map<String, Object> getComponents() {
        return components;
    }

    public void setComponents(java.util.Map<String, Object> components) {
        this.components = components == null ? java.util.Map.of() : java.util.Map.copyOf(components);
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

    // ---- Bounds on remote input and the gateway policy (XmppLimits), not part of toSettings() -------------

    /**
     * The limits of {@code bridge.xmpp.gateway-*}, {@code provision-*} and {@code max-*} (see {@code XmppLimits}
     * for each key's meaning); the Matrix allow-list's default, the homeserver's server name, is added by the bean.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public org.bridgeappliance.adapter.xmpp.limits.XmppLimits toLimits() {
        return new org.bridgeappliance.adapter.xmpp.limits.XmppLimits(provisionThreads, provisionQueue,
                provisionFailureTtl, provisionBurst, provisionPerMinute, provisionParked, maxGatewayRooms,
                maxGatewayOccupants, maxGatewayMembers, maxTrackedUsers, maxCachedAvatars, maxStatusChars,
                gatewayAllowedXmppDomains, gatewayDeniedXmppDomains, gatewayAllowedMatrixServers,
                gatewayDeniedMatrixServers, "");
    }

    /** XMPP domains whose users may join gateway rooms; empty (default): server-domain only; "*": any. */
    public List<String> getGatewayAllowedXmppDomains() {
        return gatewayAllowedXmppDomains;
    }

    public void setGatewayAllowedXmppDomains(List<String> v) {
        this.gatewayAllowedXmppDomains = v == null ? List.of() : List.copyOf(v);
    }

    /** XMPP domains refused by the gateway even if allowed (default none). */
    public List<String> getGatewayDeniedXmppDomains() {
        return gatewayDeniedXmppDomains;
    }

    public void setGatewayDeniedXmppDomains(List<String> v) {
        this.gatewayDeniedXmppDomains = v == null ? List.of() : List.copyOf(v);
    }

    /** Matrix servers whose rooms the gateway reaches; empty (default): bridge.matrix.server-name only; "*": any. */
    public List<String> getGatewayAllowedMatrixServers() {
        return gatewayAllowedMatrixServers;
    }

    public void setGatewayAllowedMatrixServers(List<String> v) {
        this.gatewayAllowedMatrixServers = v == null ? List.of() : List.copyOf(v);
    }

    /** Matrix servers the gateway never reaches, even if allowed (default none). */
    public List<String> getGatewayDeniedMatrixServers() {
        return gatewayDeniedMatrixServers;
    }

    public void setGatewayDeniedMatrixServers(List<String> v) {
        this.gatewayDeniedMatrixServers = v == null ? List.of() : List.copyOf(v);
    }

    /** Threads opening gateway rooms and 1:1 chats on the other network (default 2). */
    public int getProvisionThreads() {
        return provisionThreads;
    }

    public void setProvisionThreads(int v) {
        this.provisionThreads = v;
    }

    /** Openings waiting for a thread; more are refused with resource-constraint (default 64). */
    public int getProvisionQueue() {
        return provisionQueue;
    }

    public void setProvisionQueue(int v) {
        this.provisionQueue = v;
    }

    /** How long a failed opening is answered from cache (default 5m). */
    public Duration getProvisionFailureTtl() {
        return provisionFailureTtl;
    }

    public void setProvisionFailureTtl(Duration v) {
        this.provisionFailureTtl = v;
    }

    /** Openings one sender may start at once (default 5). */
    public int getProvisionBurst() {
        return provisionBurst;
    }

    public void setProvisionBurst(int v) {
        this.provisionBurst = v;
    }

    /** How many openings per minute a sender's allowance regains (default 10). */
    public int getProvisionPerMinute() {
        return provisionPerMinute;
    }

    public void setProvisionPerMinute(int v) {
        this.provisionPerMinute = v;
    }

    /** Stanzas held per room or chat while it is being opened (default 32). */
    public int getProvisionParked() {
        return provisionParked;
    }

    public void setProvisionParked(int v) {
        this.provisionParked = v;
    }

    /** Gateway rooms held in memory (default 1000; rooms with joiners are never dropped). */
    public int getMaxGatewayRooms() {
        return maxGatewayRooms;
    }

    public void setMaxGatewayRooms(int v) {
        this.maxGatewayRooms = v;
    }

    /** XMPP joiners per gateway room (default 500). */
    public int getMaxGatewayOccupants() {
        return maxGatewayOccupants;
    }

    public void setMaxGatewayOccupants(int v) {
        this.maxGatewayOccupants = v;
    }

    /** Matrix members remembered per gateway room (default 2000). */
    public int getMaxGatewayMembers() {
        return maxGatewayMembers;
    }

    public void setMaxGatewayMembers(int v) {
        this.maxGatewayMembers = v;
    }

    /** Entries of each per-user memory (default 10000). */
    public int getMaxTrackedUsers() {
        return maxTrackedUsers;
    }

    public void setMaxTrackedUsers(int v) {
        this.maxTrackedUsers = v;
    }

    /** Puppet avatars held in memory (default 64). */
    public int getMaxCachedAvatars() {
        return maxCachedAvatars;
    }

    public void setMaxCachedAvatars(int v) {
        this.maxCachedAvatars = v;
    }

    /** Presence status texts are cut to this many characters (default 512). */
    public int getMaxStatusChars() {
        return maxStatusChars;
    }

    public void setMaxStatusChars(int v) {
        this.maxStatusChars = v;
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
