package org.bridgeappliance.adapter.xmpp.testing;

import java.time.Duration;
import java.util.List;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;

/**
 * {@link XmppLimits} for tests: the defaults (gateway reaching {@code matrix.test}), with the fields a test sets.
 * Also the adapter settings those tests run against a {@link FakeComponentServer} with.
 */
public final class LimitsBuilder {
    private static final XmppLimits D = XmppLimits.defaults();
    public int provisionThreads = D.provisionThreads();
    public int provisionQueue = D.provisionQueue();
    public Duration provisionFailureTtl = D.provisionFailureTtl();
    public int provisionBurst = D.provisionBurst();
    public int provisionPerMinute = D.provisionPerMinute();
    public int provisionParked = D.provisionParked();
    public int maxGatewayRooms = D.maxGatewayRooms();
    public int maxGatewayOccupants = D.maxGatewayOccupants();
    public int maxGatewayMembers = D.maxGatewayMembers();
    public int maxTrackedUsers = D.maxTrackedUsers();
    public int maxCachedAvatars = D.maxCachedAvatars();
    public int maxStatusChars = D.maxStatusChars();
    public List<String> allowedXmppDomains = List.of();
    public List<String> deniedXmppDomains = List.of();
    public List<String> allowedMatrixServers = List.of();
    public List<String> deniedMatrixServers = List.of();
    public String matrixServerName = "matrix.test";

    public XmppLimits build() {
        return new XmppLimits(provisionThreads, provisionQueue, provisionFailureTtl, provisionBurst, provisionPerMinute,
                provisionParked, maxGatewayRooms, maxGatewayOccupants, maxGatewayMembers, maxTrackedUsers,
                maxCachedAvatars, maxStatusChars, allowedXmppDomains, deniedXmppDomains, allowedMatrixServers,
                deniedMatrixServers, matrixServerName);
    }

    /** An enabled adapter for the scripted server on {@code port}: xmpp.test users, component matrix.xmpp.test. */
    public static XmppSettings settings(int port) {
        return new XmppSettings(true, "127.0.0.1", port, "secret", "xmpp.test", "conference.xmpp.test",
                "matrix.xmpp.test", 64 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMillis(20),
                Duration.ofMillis(100), Duration.ofSeconds(3), Duration.ofMinutes(5), "Matrix bridge", true, 20);
    }
}
