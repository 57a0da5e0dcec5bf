package org.bridgeappliance.adapter.xmpp.limits;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jivesoftware.smack.packet.Presence;

/**
 * The bounds the XMPP adapter puts on what remote users can make it hold or do: on-demand provisioning of
 * gateway rooms and 1:1 chats (threads, queue, negative cache, per-sender rate), the caps of the maps keyed
 * by remote input, the length of presence status texts, and who may use the gateway (allow/deny lists, see
 * {@link org.bridgeappliance.adapter.xmpp.gateway.GatewayPolicy}). Filled from {@code bridge.xmpp.*}
 * (XmppConfig); {@link #defaults()} are the shipped values.
 *
 * @param provisionThreads        threads that create gateway rooms and 1:1 chats on the other network (never the
 *                                XMPP inbound thread)
 * @param provisionQueue          provisioning requests waiting for a thread; more are refused (resource-constraint)
 * @param provisionFailureTtl     how long a failed provisioning is answered from cache instead of being tried again
 * @param provisionBurst          provisioning requests one sender (bare JID) may start at once
 * @param provisionPerMinute      how fast a sender's allowance refills
 * @param provisionParked         stanzas held per room or chat while it is being provisioned (kept in order)
 * @param maxGatewayRooms         gateway rooms held in memory (rooms with joiners are never dropped)
 * @param maxGatewayOccupants     XMPP joiners per gateway room (XEP-0045 §7.2.10: more get service-unavailable)
 * @param maxGatewayMembers       Matrix members remembered per gateway room (least recently active dropped)
 * @param maxTrackedUsers         entries of each per-user memory: 1:1 chat state, puppet profiles, sender allowances,
 *                                provisioning failures
 * @param maxCachedAvatars        puppet avatars held in memory (each at most 512 KiB)
 * @param maxStatusChars          presence status texts are cut to this many characters
 * @param allowedXmppDomains      XMPP domains whose users may use the gateway; empty: the server domain only;
 *                                {@code *} any; {@code *.example.org} its subdomains
 * @param deniedXmppDomains       XMPP domains refused even if allowed
 * @param allowedMatrixServers    Matrix servers whose rooms the gateway may reach; empty: the homeserver's own
 *                                server name only ({@code bridge.matrix.server-name}); same patterns
 * @param deniedMatrixServers     Matrix servers refused even if allowed
 * @param matrixServerName        the homeserver's server name (the default of {@code allowedMatrixServers})
 */
public record XmppLimits(int provisionThreads, int provisionQueue, Duration provisionFailureTtl, int provisionBurst,
                         int provisionPerMinute, int provisionParked, int maxGatewayRooms, int maxGatewayOccupants,
                         int maxGatewayMembers, int maxTrackedUsers, int maxCachedAvatars, int maxStatusChars,
                         List<String> allowedXmppDomains, List<String> deniedXmppDomains,
                         List<String> allowedMatrixServers, List<String> deniedMatrixServers,
                         String matrixServerName) {
    public XmppLimits {
        Objects.requireNonNull(provisionFailureTtl, "provisionFailureTtl");
        allowedXmppDomains = List.copyOf(allowedXmppDomains);
        deniedXmppDomains = List.copyOf(deniedXmppDomains);
        allowedMatrixServers = List.copyOf(allowedMatrixServers);
        deniedMatrixServers = List.copyOf(deniedMatrixServers);
        matrixServerName = matrixServerName == null ? "" : matrixServerName.strip();
        positive("provision-threads", provisionThreads, 64);
        positive("provision-queue", provisionQueue, 100_000);
        positive("provision-burst", provisionBurst, 10_000);
        positive("provision-per-minute", provisionPerMinute, 100_000);
        positive("provision-parked", provisionParked, 10_000);
        positive("max-gateway-rooms", maxGatewayRooms, 1_000_000);
        positive("max-gateway-occupants", maxGatewayOccupants, 100_000);
        positive("max-gateway-members", maxGatewayMembers, 1_000_000);
        positive("max-tracked-users", maxTrackedUsers, 10_000_000);
        positive("max-cached-avatars", maxCachedAvatars, 100_000);
        positive("max-status-chars", maxStatusChars, 100_000);
        if (provisionFailureTtl.isNegative()) {
            throw new IllegalArgumentException("bridge.xmpp.provision-failure-ttl must not be negative");
        }
    }

    private static void positive(String key, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException("bridge.xmpp." + key + " must be 1.." + max + ": " + value);
        }
    }

    /** The shipped defaults; gateway open to the server domain's users and to rooms on {@code matrixServerName}. */
    public static XmppLimits defaults() {
        return new XmppLimits(2, 64, Duration.ofMinutes(5), 5, 10, 32, 1000, 500, 2000, 10_000, 64, 512,
                List.of(), List.of(), List.of(), List.of(), "");
    }

    /** These limits with the homeserver's server name (what the Matrix allow-list defaults to). */
    public XmppLimits withMatrixServerName(String name) {
        return new XmppLimits(provisionThreads, provisionQueue, provisionFailureTtl, provisionBurst, provisionPerMinute,
                provisionParked, maxGatewayRooms, maxGatewayOccupants, maxGatewayMembers, maxTrackedUsers,
                maxCachedAvatars, maxStatusChars, allowedXmppDomains, deniedXmppDomains, allowedMatrixServers,
                deniedMatrixServers, name);
    }

    /** {@code text} cut to {@link #maxStatusChars} (never between the halves of a surrogate pair), with "…". */
    public String status(String text) {
        if (text == null || text.length() <= maxStatusChars) {
            return text;
        }
        int cut = maxStatusChars;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return text.substring(0, cut) + "…";
    }

    /** {@code p} with its status text cut to {@link #maxStatusChars}; {@code p} itself when it is short enough. */
    public Presence boundedStatus(Presence p) {
        String status = p.getStatus();
        if (status == null || status.length() <= maxStatusChars) {
            return p;
        }
        return p.asBuilder().setStatus(status(status)).build();
    }
}
