package org.bridgeappliance.adapter.matrix;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Matrix adapter's configuration, under {@code bridge.matrix} (keys fixed in deploy/CONVENTIONS.md; the
 * rest have working defaults). A plain mutable bean so that tests and the registration generator can
 * build one without Micronaut.
 *
 * <p>Tokens: if {@code as-token}/{@code hs-token} are empty they are taken from the registration
 * file; if both are given they must match it, or the adapter refuses to start.
 */
@ConfigurationProperties("bridge.matrix")
public class MatrixConfig {
    private boolean enabled;
    private String homeserverUrl = "http://127.0.0.1:18008";
    private String serverName = "matrix.test";
    private String registrationFile = "";
    private String asToken = "";
    private String hsToken = "";
    private String botLocalpart = "bridgebot";
    private String botDisplayName = "Bridge bot";
    /** The registration's {@code id}; also names the AS in the ping endpoint. */
    private String appserviceId = "bridge-appliance";
    /** Where the homeserver reaches the appliance's AS endpoints (the registration's {@code url}). */
    private String appserviceUrl = "http://127.0.0.1:18480";
    /**
     * Networks whose users get ghosts here, each under the exclusive prefix {@code @_<network>_}. Empty unless
     * set: the appliance then uses {@link #configuredNetworks} (every other network configured under
     * {@code bridge.*}).
     */
    private List<String> ghostNetworks = new ArrayList<>();
    /** Accept the deprecated {@code ?access_token=} from the homeserver (Synapse's legacy mode). */
    private boolean allowLegacyQueryToken;
    /** Largest AS transaction body accepted; Synapse sends at most 100 events of at most 64 KiB. */
    private int maxTransactionBytes = 10 * 1024 * 1024;
    /** Timeout of one Client-Server request. */
    private Duration requestTimeout = Duration.ofSeconds(20);
    /** Attempts per Client-Server request on 429/5xx/connection errors before giving up. */
    private int maxAttempts = 4;
    /** Longest single wait the client accepts for a 429's retry_after_ms inside one call. */
    private Duration maxRetryWait = Duration.ofSeconds(10);
    /** Largest media file uploaded or downloaded. */
    private long mediaMaxBytes = 50L * 1024 * 1024;
    /**
     * Public base URL under which the appliance serves Matrix media to other networks
     * ({@code <base>/_bridge/matrix/media/...}, HMAC-signed); empty uses {@code appservice-url}.
     */
    private String publicMediaBaseUrl = "";
    /**
     * Whether attachments and avatars may be fetched from loopback and private addresses (on-premises
     * upload services). Off by default: the URLs come from remote users (server-side request forgery);
     * link-local and metadata addresses are refused even when on.
     */
    private boolean mediaFetchPrivateHosts;
    /**
     * Absolute http(s) URL prefixes (path ending in '/') whose media is fetched even from loopback and
     * private addresses, typically the appliance's own public base URL + {@code /_bridge/xmpp/avatar/}.
     * Checked at start-up: a bad entry makes the adapter FAILED.
     */
    private List<String> mediaTrustedUrlPrefixes = new ArrayList<>();
    /** How often an unreachable homeserver is probed so that the adapter state recovers. */
    private Duration healthProbeInterval = Duration.ofSeconds(5);
    /**
     * Whether the members of every mapped room are announced to the other networks again at start-up
     * (the XMPP side loses its puppets' MUC presence on a restart); rooms mapped while running always are.
     */
    private boolean memberSyncOnStart = true;
    /** Members announced per room when it becomes a portal, at most (0 turns the member sync off). */
    private int memberSyncMaxMembers = 500;
    /** Pause between two rooms' member announcements (bounds the load of a start-up pass). */
    private Duration memberSyncPause = Duration.ofMillis(250);
    /** How often the room directory is read for newly mapped Matrix rooms. */
    private Duration roomWatchInterval = Duration.ofSeconds(5);

    public boolean isMemberSyncOnStart() {
        return memberSyncOnStart;
    }

    public void setMemberSyncOnStart(boolean memberSyncOnStart) {
        this.memberSyncOnStart = memberSyncOnStart;
    }

    public int getMemberSyncMaxMembers() {
        return memberSyncMaxMembers;
    }

    public void setMemberSyncMaxMembers(int memberSyncMaxMembers) {
        this.memberSyncMaxMembers = Math.max(0, Math.min(100_000, memberSyncMaxMembers));
    }

    public Duration getMemberSyncPause() {
        return memberSyncPause;
    }

    public void setMemberSyncPause(Duration memberSyncPause) {
        this.memberSyncPause = memberSyncPause;
    }

    public Duration getRoomWatchInterval() {
        return roomWatchInterval;
    }

    public void setRoomWatchInterval(Duration roomWatchInterval) {
        this.roomWatchInterval = roomWatchInterval;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHomeserverUrl() {
        return homeserverUrl;
    }

    public void setHomeserverUrl(String homeserverUrl) {
        this.homeserverUrl = homeserverUrl;
    }

    public String getServerName() {
        return serverName;
    }

    public void setServerName(String serverName) {
        this.serverName = serverName;
    }

    public String getRegistrationFile() {
        return registrationFile;
    }

    public void setRegistrationFile(String registrationFile) {
        this.registrationFile = registrationFile == null ? "" : registrationFile;
    }

    public String getAsToken() {
        return asToken;
    }

    public void setAsToken(String asToken) {
        this.asToken = asToken == null ? "" : asToken;
    }

    public String getHsToken() {
        return hsToken;
    }

    public void setHsToken(String hsToken) {
        this.hsToken = hsToken == null ? "" : hsToken;
    }

    public String getBotLocalpart() {
        return botLocalpart;
    }

    public void setBotLocalpart(String botLocalpart) {
        this.botLocalpart = botLocalpart;
    }

    public String getBotDisplayName() {
        return botDisplayName;
    }

    public void setBotDisplayName(String botDisplayName) {
        this.botDisplayName = botDisplayName;
    }

    public String getAppserviceId() {
        return appserviceId;
    }

    public void setAppserviceId(String appserviceId) {
        this.appserviceId = appserviceId;
    }

    public String getAppserviceUrl() {
        return appserviceUrl;
    }

    public void setAppserviceUrl(String appserviceUrl) {
        this.appserviceUrl = appserviceUrl;
    }

    public List<String> getGhostNetworks() {
        return ghostNetworks;
    }

    public void setGhostNetworks(List<String> ghostNetworks) {
        this.ghostNetworks = new ArrayList<>(ghostNetworks);
    }

    public boolean isAllowLegacyQueryToken() {
        return allowLegacyQueryToken;
    }

    public void setAllowLegacyQueryToken(boolean allowLegacyQueryToken) {
        this.allowLegacyQueryToken = allowLegacyQueryToken;
    }

    public int getMaxTransactionBytes() {
        return maxTransactionBytes;
    }

    public void setMaxTransactionBytes(int maxTransactionBytes) {
        this.maxTransactionBytes = maxTransactionBytes;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getMaxRetryWait() {
        return maxRetryWait;
    }

    public void setMaxRetryWait(Duration maxRetryWait) {
        this.maxRetryWait = maxRetryWait;
    }

    public long getMediaMaxBytes() {
        return mediaMaxBytes;
    }

    public void setMediaMaxBytes(long mediaMaxBytes) {
        this.mediaMaxBytes = mediaMaxBytes;
    }

    public String getPublicMediaBaseUrl() {
        return publicMediaBaseUrl;
    }

    public void setPublicMediaBaseUrl(String publicMediaBaseUrl) {
        this.publicMediaBaseUrl = publicMediaBaseUrl == null ? "" : publicMediaBaseUrl;
    }

    public boolean isMediaFetchPrivateHosts() {
        return mediaFetchPrivateHosts;
    }

    public void setMediaFetchPrivateHosts(boolean mediaFetchPrivateHosts) {
        this.mediaFetchPrivateHosts = mediaFetchPrivateHosts;
    }

    public List<String> getMediaTrustedUrlPrefixes() {
        return mediaTrustedUrlPrefixes;
    }

    public void setMediaTrustedUrlPrefixes(List<String> mediaTrustedUrlPrefixes) {
        this.mediaTrustedUrlPrefixes = mediaTrustedUrlPrefixes == null ? new ArrayList<>()
                : new ArrayList<>(mediaTrustedUrlPrefixes);
    }

    public Duration getHealthProbeInterval() {
        return healthProbeInterval;
    }

    public void setHealthProbeInterval(Duration healthProbeInterval) {
        this.healthProbeInterval = healthProbeInterval;
    }

    // ---- media fetch deadline and media serving limit -----------------------------------------

    /**
     * Deadline of one whole media fetch from a URL another network's user chose (every redirect hop's connect,
     * headers and body together): a server that drips its body holds a delivery thread at most this long.
     */
    private Duration mediaFetchTimeout = Duration.ofSeconds(30);
    /**
     * Matrix media downloads served at once under {@code /_bridge/matrix/media/} (each streams from the
     * homeserver through one blocking thread); further requests get 503 with {@code Retry-After}.
     */
    private int mediaServeMaxConcurrent = 8;

    public Duration getMediaFetchTimeout() {
        return mediaFetchTimeout;
    }

    /** @throws IllegalArgumentException unless positive */
    public void setMediaFetchTimeout(Duration mediaFetchTimeout) {
        if (mediaFetchTimeout == null || mediaFetchTimeout.isNegative() || mediaFetchTimeout.isZero()) {
            throw new IllegalArgumentException("bridge.matrix.media-fetch-timeout must be positive");
        }
        this.mediaFetchTimeout = mediaFetchTimeout;
    }

    public int getMediaServeMaxConcurrent() {
        return mediaServeMaxConcurrent;
    }

    /** At least 1. */
    public void setMediaServeMaxConcurrent(int mediaServeMaxConcurrent) {
        this.mediaServeMaxConcurrent = Math.max(1, mediaServeMaxConcurrent);
    }

    /**
     * Reads {@code bridge.matrix.*} from a property source without starting an application context
     * (for {@code --generate-registration}, which must not start the bridge): for example
     * {@code MatrixConfig.from(ApplicationContext.builder().args(args).build().getEnvironment().start())}.
     */
    public static MatrixConfig from(io.micronaut.core.value.PropertyResolver properties) {
        MatrixConfig c = new MatrixConfig();
        String p = "bridge.matrix.";
        properties.getProperty(p + "enabled", Boolean.class).ifPresent(c::setEnabled);
        properties.getProperty(p + "homeserver-url", String.class).ifPresent(c::setHomeserverUrl);
        properties.getProperty(p + "server-name", String.class).ifPresent(c::setServerName);
        properties.getProperty(p + "registration-file", String.class).ifPresent(c::setRegistrationFile);
        properties.getProperty(p + "as-token", String.class).ifPresent(c::setAsToken);
        properties.getProperty(p + "hs-token", String.class).ifPresent(c::setHsToken);
        properties.getProperty(p + "bot-localpart", String.class).ifPresent(c::setBotLocalpart);
        properties.getProperty(p + "bot-display-name", String.class).ifPresent(c::setBotDisplayName);
        properties.getProperty(p + "appservice-id", String.class).ifPresent(c::setAppserviceId);
        properties.getProperty(p + "appservice-url", String.class).ifPresent(c::setAppserviceUrl);
        properties.getProperty(p + "ghost-networks", io.micronaut.core.type.Argument.listOf(String.class))
                .ifPresent(c::setGhostNetworks);
        c.deriveGhostNetworks(properties);
        return c;
    }

    /**
     * Without an explicit {@code ghost-networks}, sets it to {@link #configuredNetworks}: the bean and the
     * registration command both call this, so the namespaces the adapter uses are the ones it registered.
     */
    public void deriveGhostNetworks(io.micronaut.core.value.PropertyResolver properties) {
        if (ghostNetworks.isEmpty()) {
            setGhostNetworks(configuredNetworks(properties));
        }
    }

    /**
     * The other networks of this appliance, as its configuration declares them: every block
     * {@code bridge.<network>} with an {@code enabled} key (enabled or not, so that turning a network on
     * needs no new registration), except {@code matrix}, in the order the configuration lists them. Network
     * names must match {@code [a-z0-9]+} to have a namespace; others are skipped.
     */
    public static List<String> configuredNetworks(io.micronaut.core.value.PropertyResolver properties) {
        List<String> found = new ArrayList<>();
        for (String entry : properties.getPropertyEntries("bridge")) {
            if (!entry.equals("matrix") && entry.matches("[a-z0-9]+")
                    && properties.containsProperty("bridge." + entry + ".enabled")) {
                found.add(entry);
            }
        }
        return found;
    }

    /** The bot's full MXID. */
    public String botUserId() {
        return "@" + botLocalpart + ":" + serverName;
    }
}
